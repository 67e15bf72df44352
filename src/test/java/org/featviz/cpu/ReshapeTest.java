package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.OpContext;
import org.featviz.ops.Ops;
import org.junit.jupiter.api.Test;

class ReshapeTest {
  private static final Shape X = Shape.of(2, 3, 4);
  private final Node reshape = node("Reshape", Map.of(), 2, 1);

  @Test
  void resolvesZeroAndMinusOneLikeTheSpecExamples() {
    Tensor x = random(X, new Random(111), -1f, 1f);
    long[][] requests = {
      {4, 2, 3},
      {2, 12},
      {24},
      {2, 3, 2, 2},
      {-1},
      {2, -1, 2},
      {-1, 2, 3, 4},
      {2, 0, 4, 1},
      {2, 0, 1, -1},
      {0, 0, -1}
    };
    Shape[] expected = {
      Shape.of(4, 2, 3),
      Shape.of(2, 12),
      Shape.of(24),
      Shape.of(2, 3, 2, 2),
      Shape.of(24),
      Shape.of(2, 6, 2),
      Shape.of(1, 2, 3, 4),
      Shape.of(2, 3, 4, 1),
      Shape.of(2, 3, 1, 4),
      Shape.of(2, 3, 4)
    };
    for (int i = 0; i < requests.length; i++) {
      Tensor y = forward(reshape, x, shape(requests[i]))[0];
      String what = "shape " + Arrays.toString(requests[i]);
      assertEquals(expected[i], y.shape(), what);
      assertExact(x.data(), y.data(), what);
    }
  }

  @Test
  void allowZeroMakesZeroADimension() {
    Tensor empty = zeros(0, 3, 4);
    Node allowZero = node("Reshape", Map.of("allowzero", 1L), 2, 1);
    assertEquals(Shape.of(3, 4, 0), forward(allowZero, empty, shape(3, 4, 0))[0].shape());
    // Without allowzero the 0 copies the input's dimension 2 (4), and 48 elements do not fit 0.
    assertThrows(ModelException.class, () -> forward(reshape, empty, shape(3, 4, 0)));
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Tensor x = random(X, new Random(112), -1f, 1f);
    checkGradient(
        reshape, new Tensor[] {x, shape(4, -1)}, new boolean[] {true, false}, 113, 1e-2, 1e-2);
  }

  @Test
  void incompatibleSizesNameTheNodeAndShapes() {
    Tensor x = Tensor.zeros(X);
    ModelException size =
        assertThrows(ModelException.class, () -> forward(reshape, x, shape(5, 5)));
    assertMessageNames(size, "Reshape_test", "[2, 3, 4]", "[5, 5]");
    ModelException divide =
        assertThrows(ModelException.class, () -> forward(reshape, x, shape(5, -1)));
    assertMessageNames(divide, "Reshape_test", "[2, 3, 4]", "[5, -1]");
    ModelException twice =
        assertThrows(ModelException.class, () -> forward(reshape, x, shape(-1, -1)));
    assertMessageNames(twice, "Reshape_test", "[2, 3, 4]", "[-1, -1]");
  }

  @Test
  void shapeInferenceNeedsAConstantShape() {
    OpContext ctx = new OpContext(reshape, List.of(X, Shape.of(2)), Arrays.asList(null, null), 13);
    ModelException e =
        assertThrows(ModelException.class, () -> Ops.spec(reshape, 13).outputShapes(ctx));
    assertMessageNames(e, "Reshape_test", "constant");
    OpContext known =
        new OpContext(reshape, List.of(X, Shape.of(2)), Arrays.asList(null, shape(0, -1)), 13);
    assertEquals(List.of(Shape.of(2, 12)), Ops.spec(reshape, 13).outputShapes(known));
  }

  private static Tensor shape(long... dims) {
    return Tensor.ofLongs(Shape.of(dims.length), dims);
  }
}
