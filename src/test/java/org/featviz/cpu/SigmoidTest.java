package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

class SigmoidTest {
  private final Node sigmoid = node("Sigmoid", Map.of(), 1, 1);

  @Test
  void forwardMatchesFormula() {
    Tensor x = random(Shape.of(2, 3, 4, 5), new Random(51), -6f, 6f);
    float[] expected = new float[x.size()];
    for (int i = 0; i < expected.length; i++)
      expected[i] = (float) (1 / (1 + Math.exp(-x.data()[i])));
    assertClose(expected, forward(sigmoid, x)[0].data(), 1e-6, 1e-7, "Sigmoid forward");
  }

  @Test
  void extremeInputsSaturateWithoutNaN() {
    Tensor x = Tensor.of(Shape.of(4), new float[] {-1000f, -100f, 100f, 1000f});
    assertClose(
        new float[] {0f, 0f, 1f, 1f},
        forward(sigmoid, x)[0].data(),
        0,
        1e-30,
        "Sigmoid saturation");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Tensor x = random(Shape.of(3, 4, 5), new Random(52), -4f, 4f);
    checkGradient(sigmoid, x, 53, 3e-3, 1e-2);
  }
}
