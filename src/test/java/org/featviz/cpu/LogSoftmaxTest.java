package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * LogSoftmax against the ONNX documentation's example, log of the closed-form softmax on any axis,
 * large inputs that would overflow exp, opset 11's flattened tail, and finite differences.
 */
class LogSoftmaxTest {
  @Test
  void theDocumentedExample() {
    // ONNX: x = [[-1, 0, 1]] gives [[-2.4076061, -1.4076061, -0.4076061]].
    Tensor x = Tensor.of(Shape.of(1, 3), new float[] {-1, 0, 1});
    Tensor y = forward(node("LogSoftmax", Map.of(), 1, 1), x)[0];
    assertClose(
        new float[] {-2.4076061f, -1.4076061f, -0.4076061f}, y.data(), 1e-6, 1e-7, "example");
  }

  @Test
  void everyAxisIsTheLogOfSoftmax() {
    Random rng = new Random(81);
    Tensor x = random(Shape.of(3, 4, 5), rng, -3f, 3f);
    for (long axis : new long[] {0, 1, 2, -1, -2}) {
      int a = (int) (axis < 0 ? axis + 3 : axis);
      float[] y = forward(node("LogSoftmax", Map.of("axis", axis), 1, 1), x)[0].data();
      int[] d = {3, 4, 5};
      int[] stride = {20, 5, 1};
      float[] expected = new float[60];
      for (int i = 0; i < 60; i++) {
        int base = i - ((i / stride[a]) % d[a]) * stride[a];
        double sum = 0;
        for (int j = 0; j < d[a]; j++) sum += Math.exp(x.data()[base + j * stride[a]]);
        expected[i] = (float) Math.log(Math.exp(x.data()[i]) / sum);
      }
      assertClose(expected, y, 1e-5, 1e-6, "axis " + axis);
    }
  }

  @Test
  void largeValuesDoNotOverflow() {
    // exp(1000) overflows: the maximum is subtracted first. log softmax of [1000, 1001, 1002].
    Tensor x = Tensor.of(Shape.of(1, 3), new float[] {1000, 1001, 1002});
    float[] y = forward(node("LogSoftmax", Map.of(), 1, 1), x)[0].data();
    double lse = Math.log(Math.exp(-2) + Math.exp(-1) + 1);
    assertClose(
        new float[] {(float) (-2 - lse), (float) (-1 - lse), (float) -lse}, y, 1e-6, 1e-6, "large");
    for (float v : y) assertTrue(Float.isFinite(v));
  }

  @Test
  void beforeOpset13TheTailIsFlattened() {
    Random rng = new Random(82);
    Tensor x = random(Shape.of(2, 3, 4), rng, -2f, 2f);
    float[] y = forward(node("LogSoftmax", Map.of("axis", 1L), 1, 1), 11, x)[0].data();
    for (int n = 0; n < 2; n++) {
      double sum = 0;
      for (int j = 0; j < 12; j++) sum += Math.exp(x.data()[n * 12 + j]);
      float[] expected = new float[12];
      float[] actual = new float[12];
      for (int j = 0; j < 12; j++) {
        expected[j] = (float) (x.data()[n * 12 + j] - Math.log(sum));
        actual[j] = y[n * 12 + j];
      }
      assertClose(expected, actual, 1e-5, 1e-6, "opset 11, row " + n);
    }
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Random rng = new Random(83);
    for (long axis : new long[] {1, -1}) {
      checkGradient(
          node("LogSoftmax", Map.of("axis", axis), 1, 1),
          random(Shape.of(2, 4, 3), rng, -2f, 2f),
          84,
          1e-3,
          1e-2);
    }
  }
}
