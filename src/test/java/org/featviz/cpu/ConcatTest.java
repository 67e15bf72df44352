package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.BroadcastIndexing.ravel;
import static org.featviz.cpu.BroadcastIndexing.unravel;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

class ConcatTest {
  @Test
  void forwardPlacesEachInputAlongTheAxis() {
    Random rng = new Random(91);
    for (int axis = -3; axis < 3; axis++) {
      int a = axis < 0 ? axis + 3 : axis;
      Tensor[] in = {
        random(Shape.of(2, 3, 4).withDim(a, 1), rng, -1f, 1f),
        random(Shape.of(2, 3, 4).withDim(a, 2), rng, -1f, 1f),
        random(Shape.of(2, 3, 4), rng, -1f, 1f)
      };
      Node concat = node("Concat", Map.of("axis", (long) axis), 3, 1);
      Tensor y = forward(concat, in)[0];
      Shape expectedShape = Shape.of(2, 3, 4).withDim(a, Shape.of(2, 3, 4).dim(a) + 3);
      assertEquals(expectedShape, y.shape(), "axis " + axis);
      assertExact(reference(in, a, expectedShape), y.data(), "axis " + axis);
    }
  }

  @Test
  void specExample1d() {
    Tensor a = Tensor.of(Shape.of(2), new float[] {1, 2});
    Tensor b = Tensor.of(Shape.of(2), new float[] {3, 4});
    float[] y = forward(node("Concat", Map.of("axis", 0L), 2, 1), a, b)[0].data();
    assertExact(new float[] {1, 2, 3, 4}, y, "Concat 1-D");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Random rng = new Random(92);
    for (long axis : new long[] {0, 1, -1}) {
      int a = (int) (axis < 0 ? axis + 3 : axis);
      Tensor[] in = {
        random(Shape.of(2, 3, 4).withDim(a, 1), rng, -1f, 1f),
        random(Shape.of(2, 3, 4), rng, -1f, 1f)
      };
      checkGradient(
          node("Concat", Map.of("axis", axis), 2, 1),
          in,
          new boolean[] {true, true},
          rng.nextLong(),
          1e-2,
          1e-2);
    }
  }

  @Test
  void badShapesAndAxesNameTheNodeAndShapes() {
    Node concat = node("Concat", Map.of("axis", 1L), 2, 1);
    ModelException mismatch =
        assertThrows(ModelException.class, () -> forward(concat, zeros(2, 3), zeros(4, 3)));
    assertMessageNames(mismatch, "Concat_test", "[2, 3]", "[4, 3]");
    ModelException rank =
        assertThrows(ModelException.class, () -> forward(concat, zeros(2, 3), zeros(2, 3, 1)));
    assertMessageNames(rank, "Concat_test", "[2, 3]", "[2, 3, 1]");
    Node far = node("Concat", Map.of("axis", -3L), 2, 1);
    ModelException axis =
        assertThrows(ModelException.class, () -> forward(far, zeros(2, 3), zeros(2, 3)));
    assertMessageNames(axis, "Concat_test", "axis -3", "[2, 3]");
  }

  /** Each output element from the input whose range along the axis holds its index. */
  private static float[] reference(Tensor[] in, int axis, Shape out) {
    float[] y = new float[out.size()];
    for (int o = 0; o < y.length; o++) {
      int[] idx = unravel(o, out);
      int i = 0;
      while (idx[axis] >= in[i].shape().dim(axis)) idx[axis] -= in[i++].shape().dim(axis);
      y[o] = in[i].data()[ravel(idx, in[i].shape())];
    }
    return y;
  }
}
