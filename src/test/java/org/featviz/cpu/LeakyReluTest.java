package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.distinct;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

class LeakyReluTest {
  @Test
  void forwardScalesNegativesByAlpha() {
    Tensor x = random(Shape.of(2, 3, 4, 5), new Random(41), -1f, 1f);
    float[] defaultAlpha = new float[x.size()];
    float[] alpha = new float[x.size()];
    for (int i = 0; i < x.size(); i++) {
      float v = x.data()[i];
      defaultAlpha[i] = v < 0 ? 0.01f * v : v;
      alpha[i] = v < 0 ? 0.1f * v : v;
    }
    assertClose(
        defaultAlpha,
        forward(node("LeakyRelu", Map.of(), 1, 1), x)[0].data(),
        1e-7,
        0,
        "alpha default");
    assertClose(
        alpha,
        forward(node("LeakyRelu", Map.of("alpha", 0.1f), 1, 1), x)[0].data(),
        1e-7,
        0,
        "alpha 0.1");
  }

  @Test
  void specExample() {
    Tensor x = Tensor.of(Shape.of(3), new float[] {-1, 0, 1});
    float[] y = forward(node("LeakyRelu", Map.of("alpha", 0.1f), 1, 1), x)[0].data();
    assertClose(new float[] {-0.1f, 0f, 1f}, y, 1e-7, 0, "LeakyRelu example");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Node leaky = node("LeakyRelu", Map.of("alpha", 0.2f), 1, 1);
    Tensor x = distinct(Shape.of(2, 3, 4, 5), new Random(42), 0.05f);
    checkGradient(leaky, x, 43, 1e-2, 1e-2);
    Tensor y = distinct(Shape.of(8), new Random(44), 0.05f);
    checkGradient(node("LeakyRelu", Map.of(), 1, 1), y, 45, 1e-2, 1e-2);
  }
}
