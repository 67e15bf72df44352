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

class TanhTest {
  private final Node tanh = node("Tanh", Map.of(), 1, 1);

  @Test
  void forwardMatchesFormula() {
    Tensor x = random(Shape.of(2, 3, 4, 5), new Random(61), -4f, 4f);
    float[] expected = new float[x.size()];
    for (int i = 0; i < expected.length; i++) {
      double e2 = Math.exp(2.0 * x.data()[i]);
      expected[i] = (float) ((e2 - 1) / (e2 + 1));
    }
    assertClose(expected, forward(tanh, x)[0].data(), 1e-6, 1e-7, "Tanh forward");
  }

  @Test
  void specExample() {
    Tensor x = Tensor.of(Shape.of(3), new float[] {-1, 0, 1});
    assertClose(
        new float[] {-0.76159416f, 0f, 0.76159416f},
        forward(tanh, x)[0].data(),
        1e-6,
        0,
        "Tanh example");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Tensor x = random(Shape.of(3, 4, 5), new Random(62), -3f, 3f);
    checkGradient(tanh, x, 63, 3e-3, 1e-2);
  }
}
