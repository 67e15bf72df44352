package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.distinct;
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

/**
 * PRelu against the ONNX definition written out (max(0, x) + min(0, x) slope), a per-channel slope
 * as torch exports it ([C, 1, 1]), finite differences for x and the slope, and the refusal of a
 * slope that does not broadcast to x.
 */
class PReluTest {
  private static final Node PRELU = node("PRelu", Map.of(), 2, 1);

  @Test
  void negativeValuesAreScaledByTheirChannelsSlope() {
    // x [1, 2, 2, 2], slope [2, 1, 1]: channel 0 by 0.25, channel 1 by -2; 0 stays 0.
    Tensor x = Tensor.of(Shape.of(1, 2, 2, 2), new float[] {-4, 0, 1, -1, -3, 2, 0, -0.5f});
    Tensor slope = Tensor.of(Shape.of(2, 1, 1), new float[] {0.25f, -2});
    Tensor y = forward(PRELU, x, slope)[0];
    assertEquals(x.shape(), y.shape());
    assertExact(new float[] {-1, 0, 1, -0.25f, 6, 2, 0, 1}, y.data(), "per-channel slope");
  }

  @Test
  void aFullSizeAndAScalarSlopeMatchTheDefinition() {
    Random rng = new Random(61);
    Tensor x = random(Shape.of(3, 4, 5), rng, -2f, 2f);
    for (Shape s : new Shape[] {Shape.of(3, 4, 5), Shape.of(5), Shape.of()}) {
      Tensor slope = random(s, rng, -1f, 1f);
      float[] y = forward(PRELU, x, slope)[0].data();
      int[] idx = org.featviz.ops.Broadcast.sourceIndices(s, x.shape());
      float[] expected = new float[y.length];
      for (int i = 0; i < y.length; i++) {
        float v = x.data()[i];
        expected[i] = Math.max(0, v) + Math.min(0, v) * slope.data()[idx[i]];
      }
      assertExact(expected, y, "slope " + s);
    }
  }

  @Test
  void gradientsOfXAndTheSlopeMatchFiniteDifferences() {
    Random rng = new Random(62);
    // Values at least 0.05 apart and off zero, so that no difference steps across the kink.
    Tensor x = distinct(Shape.of(2, 3, 2, 2), rng, 0.05f);
    Tensor slope = random(Shape.of(3, 1, 1), rng, -1f, 1f);
    checkGradient(PRELU, new Tensor[] {x, slope}, new boolean[] {true, true}, 63, 1e-3, 1e-2);
  }

  @Test
  void aSlopeThatDoesNotBroadcastToXIsRefusedNamingTheNode() {
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> forward(PRELU, OpTesting.zeros(1, 3, 2, 2), OpTesting.zeros(2, 1, 1)));
    assertMessageNames(e, "PRelu_test", "slope of shape", "does not broadcast");
  }
}
