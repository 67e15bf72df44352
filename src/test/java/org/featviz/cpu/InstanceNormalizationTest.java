package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * InstanceNormalization against the ONNX documentation's example worked out by hand, an epsilon
 * that matters, finite differences of x, and the refusal of badly shaped weights.
 */
class InstanceNormalizationTest {
  private static final Node NORM = node("InstanceNormalization", Map.of(), 3, 1);

  @Test
  void theDocumentedExample() {
    // x [1, 2, 1, 3]: channel 0 [-1, 0, 1] (mean 0), channel 1 [2, 3, 4] (mean 3); both have
    // variance 2/3. scale [1, 1.5], B [0, 1].
    Tensor x = Tensor.of(Shape.of(1, 2, 1, 3), new float[] {-1, 0, 1, 2, 3, 4});
    Tensor y =
        forward(
            NORM,
            x,
            Tensor.of(Shape.of(2), new float[] {1, 1.5f}),
            Tensor.of(Shape.of(2), new float[] {0, 1}))[0];
    double r = 1 / Math.sqrt(2.0 / 3 + 1e-5);
    float[] expected = {(float) -r, 0, (float) r, (float) (1 - 1.5 * r), 1, (float) (1 + 1.5 * r)};
    assertClose(expected, y.data(), 1e-6, 1e-7, "example");
  }

  @Test
  void epsilonIsAddedToTheVariance() {
    // One group [0, 2]: mean 1, variance 1; epsilon 3 makes the divisor 2.
    Node n = node("InstanceNormalization", Map.of("epsilon", 3f), 3, 1);
    Tensor y =
        forward(
            n,
            Tensor.of(Shape.of(1, 1, 2), new float[] {0, 2}),
            Tensor.of(Shape.of(1), new float[] {1}),
            Tensor.of(Shape.of(1), new float[] {0}))[0];
    assertClose(new float[] {-0.5f, 0.5f}, y.data(), 1e-6, 1e-7, "epsilon 3");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Random rng = new Random(91);
    Tensor x = random(Shape.of(2, 3, 2, 3), rng, -2f, 2f);
    Tensor scale = random(Shape.of(3), rng, 0.5f, 1.5f);
    Tensor bias = random(Shape.of(3), rng, -1f, 1f);
    checkGradient(
        NORM, new Tensor[] {x, scale, bias}, new boolean[] {true, false, false}, 92, 1e-3, 1e-2);
  }

  @Test
  void weightsOfTheWrongShapeAndAFlatInputAreRefusedNamingTheNode() {
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> forward(NORM, OpTesting.zeros(1, 3, 4), OpTesting.zeros(2), OpTesting.zeros(3)));
    assertMessageNames(e, "InstanceNormalization_test", "scale has shape [2]", "expected [3]");
    e =
        assertThrows(
            ModelException.class,
            () -> forward(NORM, OpTesting.zeros(2, 3), OpTesting.zeros(3), OpTesting.zeros(3)));
    assertMessageNames(e, "InstanceNormalization_test", "rank 3 or more");
  }
}
