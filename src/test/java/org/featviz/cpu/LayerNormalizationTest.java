package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.UnsupportedOpException;
import org.junit.jupiter.api.Test;

class LayerNormalizationTest {
  /**
   * Rows with known statistics: [1, 2, 3, 4] has mean 2.5 and variance 1.25, so with epsilon 2.75
   * the inverse deviation is exactly 1/2 and xhat = [-0.75, -0.25, 0.25, 0.75]; a constant row has
   * variance 0, so its Y is B and its InvStdDev 1 / sqrt(epsilon).
   */
  @Test
  void rowsWithKnownMeanAndVarianceGiveTheClosedForm() {
    Tensor x = Tensor.of(Shape.of(2, 4), new float[] {1, 2, 3, 4, 5, 5, 5, 5});
    Tensor scale = Tensor.of(Shape.of(4), new float[] {1, 2, 1, 0.5f});
    Tensor bias = Tensor.of(Shape.of(4), new float[] {0, 1, 0, -1});
    Node ln = node("LayerNormalization", Map.of("epsilon", 2.75f), 3, 3);
    Tensor[] out = forward(ln, x, scale, bias);
    assertClose(
        new float[] {-0.75f, 0.5f, 0.25f, -0.625f, 0, 1, 0, -1}, out[0].data(), 1e-6, 1e-7, "Y");
    assertEquals(Shape.of(2, 1), out[1].shape());
    assertClose(new float[] {2.5f, 5f}, out[1].data(), 1e-7, 0, "Mean");
    assertClose(
        new float[] {0.5f, (float) (1 / Math.sqrt(2.75))}, out[2].data(), 1e-6, 0, "InvStdDev");
  }

  @Test
  void axisSplitsRowsFromNormalizedDimsAndTheStatisticsKeepXsRank() {
    Random rng = new Random(71);
    Shape shape = Shape.of(2, 3, 4);
    Tensor x = random(shape, rng, -2, 2);
    Tensor scale = random(Shape.of(3, 4), rng, 0.5f, 1.5f);
    Node ln = node("LayerNormalization", Map.of("axis", -2L), 2, 3);
    Tensor[] out = forward(ln, x, scale);
    assertEquals(shape, out[0].shape());
    assertEquals(Shape.of(2, 1, 1), out[1].shape());
    assertEquals(Shape.of(2, 1, 1), out[2].shape());
    // Naive: each of the 2 rows of 12 elements.
    float[] expected = new float[24];
    for (int r = 0; r < 2; r++) {
      double m = 0;
      for (int i = 0; i < 12; i++) m += x.data()[r * 12 + i];
      m /= 12;
      double v = 0;
      for (int i = 0; i < 12; i++) v += Math.pow(x.data()[r * 12 + i] - m, 2);
      v /= 12;
      for (int i = 0; i < 12; i++)
        expected[r * 12 + i] =
            (float) ((x.data()[r * 12 + i] - m) / Math.sqrt(v + 1e-5) * scale.data()[i]);
    }
    assertClose(expected, out[0].data(), 1e-5, 1e-6, "axis -2, no B");
  }

  @Test
  void backwardMatchesFiniteDifferencesForEveryInputAndOutput() {
    Random rng = new Random(72);
    Object[][] cases = {{Shape.of(3, 5), -1L}, {Shape.of(2, 3, 4), 1L}, {Shape.of(2, 2, 2, 3), 0L}};
    for (Object[] c : cases) {
      Shape shape = (Shape) c[0];
      long axis = (Long) c[1];
      int a = (int) (axis < 0 ? axis + shape.rank() : axis);
      Shape normalized = Shape.of(java.util.Arrays.copyOfRange(shape.dims(), a, shape.rank()));
      Tensor[] in = {
        random(shape, rng, -2, 2),
        random(normalized, rng, 0.5f, 1.5f),
        random(normalized, rng, -1, 1)
      };
      // All three outputs are seeded: the gradients through Mean and InvStdDev are checked too.
      Node ln = node("LayerNormalization", Map.of("axis", axis, "epsilon", 1e-2f), 3, 3);
      checkGradient(ln, in, new boolean[] {true, true, true}, 73, 1e-3, 1e-2);
      Node yOnly = node("LayerNormalization", Map.of("axis", axis), 3, 1);
      checkGradient(yOnly, in, new boolean[] {true, false, false}, 74, 1e-3, 1e-2);
    }
  }

  @Test
  void stashTypeOtherThanFloatIsRefusedNamingTheNode() {
    Tensor x = Tensor.of(Shape.of(1, 2), new float[] {1, 2});
    Tensor s = Tensor.of(Shape.of(2), new float[] {1, 1});
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class,
            () -> forward(node("LayerNormalization", Map.of("stash_type", 0L), 2, 1), x, s));
    assertTrue(
        e.getMessage().contains("LayerNormalization_test") && e.getMessage().contains("stash_type"),
        e.getMessage());
  }

  @Test
  void scaleOfTheWrongShapeIsAnError() {
    Tensor x = Tensor.of(Shape.of(2, 3), new float[6]);
    Tensor s = Tensor.of(Shape.of(2), new float[] {1, 1});
    ModelException e =
        assertThrows(
            ModelException.class, () -> forward(node("LayerNormalization", Map.of(), 2, 1), x, s));
    assertTrue(e.getMessage().contains("Scale has shape [2], expected [3]"), e.getMessage());
  }
}
