package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/** Squeeze and Unsqueeze: shapes as the ONNX operator documentation's examples give them. */
class SqueezeTest {
  private static Tensor axes(long... a) {
    return Tensor.ofLongs(Shape.of(a.length), a);
  }

  @Test
  void squeezeDropsTheGivenAxesOrEveryOne() {
    Tensor x = random(Shape.of(1, 3, 1, 5), new Random(201), -1f, 1f);
    Node sq = node("Squeeze", Map.of(), 2, 1);
    Tensor y = forward(sq, x, axes(0))[0];
    assertEquals(Shape.of(3, 1, 5), y.shape());
    assertExact(x.data(), y.data(), "axes [0]");
    assertEquals(Shape.of(1, 3, 5), forward(sq, x, axes(-2))[0].shape(), "axes [-2]");
    assertEquals(Shape.of(3, 5), forward(node("Squeeze", Map.of(), 1, 1), x)[0].shape(), "no axes");
    // Before opset 13 the axes are an attribute.
    Node old = node("Squeeze", Map.of("axes", new long[] {0, 2}), 1, 1);
    assertEquals(Shape.of(3, 5), forward(old, 11, x)[0].shape(), "opset 11");
  }

  @Test
  void unsqueezeInsertsAxesOfTheOutput() {
    Tensor x = random(Shape.of(3, 4, 5), new Random(202), -1f, 1f);
    Node u = node("Unsqueeze", Map.of(), 2, 1);
    long[][] cases = {{0}, {1}, {3}, {-1}, {0, 4}, {2, 0}, {2, 4, 0}};
    Shape[] expected = {
      Shape.of(1, 3, 4, 5),
      Shape.of(3, 1, 4, 5),
      Shape.of(3, 4, 5, 1),
      Shape.of(3, 4, 5, 1),
      Shape.of(1, 3, 4, 5, 1),
      Shape.of(1, 3, 1, 4, 5),
      Shape.of(1, 3, 1, 4, 1, 5)
    };
    for (int i = 0; i < cases.length; i++) {
      Tensor y = forward(u, x, axes(cases[i]))[0];
      assertEquals(expected[i], y.shape(), java.util.Arrays.toString(cases[i]));
      assertExact(x.data(), y.data(), java.util.Arrays.toString(cases[i]));
    }
    Node old = node("Unsqueeze", Map.of("axes", new long[] {0}), 1, 1);
    assertEquals(Shape.of(1, 3, 4, 5), forward(old, 11, x)[0].shape(), "opset 11");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Tensor x = random(Shape.of(2, 1, 3), new Random(203), -1f, 1f);
    checkGradient(node("Squeeze", Map.of("axes", new long[] {1}), 1, 1), 11, x, 204, 1e-2, 1e-2);
    checkGradient(
        node("Unsqueeze", Map.of("axes", new long[] {0, 3}), 1, 1), 11, x, 205, 1e-2, 1e-2);
  }

  @Test
  void badAxesNameTheNodeAndShape() {
    Tensor x = Tensor.zeros(Shape.of(2, 3));
    Node sq = node("Squeeze", Map.of(), 2, 1);
    ModelException e = assertThrows(ModelException.class, () -> forward(sq, x, axes(1)));
    assertMessageNames(e, "Squeeze_test", "axis 1", "[2, 3]");
    Node u = node("Unsqueeze", Map.of(), 2, 1);
    e = assertThrows(ModelException.class, () -> forward(u, x, axes(0, 0)));
    assertMessageNames(e, "Unsqueeze_test", "[0, 0]", "[2, 3]");
  }
}
