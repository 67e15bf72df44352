package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertExact;
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

class ReluTest {
  private final Node relu = node("Relu", Map.of(), 1, 1);

  @Test
  void forwardClampsNegativesToZero() {
    Tensor x = random(Shape.of(2, 3, 4, 5), new Random(1), -1f, 1f);
    float[] expected = x.data().clone();
    for (int i = 0; i < expected.length; i++) expected[i] = Math.max(0f, expected[i]);
    assertExact(expected, forward(relu, x)[0].data(), "Relu forward");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Tensor x = distinct(Shape.of(2, 3, 4, 5), new Random(2), 0.05f);
    checkGradient(relu, x, 3, 1e-2, 1e-2);
  }
}
