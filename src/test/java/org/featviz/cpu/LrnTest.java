package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

class LrnTest {
  @Test
  void evenSizeWindowReachesOneChannelFurtherUp() {
    // size 2: channels c - floor(1/2) .. c + ceil(1/2) = c .. c + 1; alpha / size = 1, beta = 1,
    // bias = 0.
    Node lrn = node("LRN", Map.of("size", 2L, "alpha", 2f, "beta", 1f, "bias", 0f), 1, 1);
    Tensor x = Tensor.of(Shape.of(1, 4, 1, 1), new float[] {1, 2, 3, 4});
    float[] expected = {1f / (1 + 4), 2f / (4 + 9), 3f / (9 + 16), 4f / 16};
    assertClose(expected, forward(lrn, x)[0].data(), 1e-6, 0, "LRN size 2");
  }

  @Test
  void forwardMatchesTheSpecFormula() {
    Random rng = new Random(51);
    for (Map<String, Object> attrs : variants()) {
      for (Shape shape : new Shape[] {Shape.of(2, 5, 3, 4), Shape.of(2, 4, 6)}) {
        Tensor x = random(shape, rng, -2, 2);
        assertClose(
            naive(x, attrs),
            forward(node("LRN", attrs, 1, 1), x)[0].data(),
            1e-5,
            1e-6,
            "LRN " + attrs + " on " + shape);
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Random rng = new Random(52);
    for (Map<String, Object> attrs : variants()) {
      Tensor x = random(Shape.of(2, 5, 3, 2), rng, -2, 2);
      checkGradient(node("LRN", attrs, 1, 1), x, 53, 1e-3, 1e-2);
    }
  }

  @Test
  void sizeIsRequired() {
    assertThrows(
        ModelException.class, () -> forward(node("LRN", Map.of(), 1, 1), zeros(1, 2, 2, 2)));
  }

  /**
   * Odd, even and wider-than-the-channels windows; strong alpha so the normalization is far from
   * identity.
   */
  private static List<Map<String, Object>> variants() {
    return List.of(
        Map.of("size", 3L, "alpha", 0.5f, "beta", 0.75f, "bias", 1.5f),
        Map.of("size", 4L, "alpha", 0.8f, "beta", 0.5f, "bias", 2f),
        Map.of("size", 7L, "alpha", 1f, "beta", 1.2f, "bias", 1f),
        Map.of("size", 5L));
  }

  /**
   * y = x / (bias + alpha / size * sum of x^2 over channels c - floor((size-1)/2) .. c +
   * ceil((size-1)/2))^beta.
   */
  private static float[] naive(Tensor x, Map<String, Object> attrs) {
    int size = (int) (long) (Long) attrs.get("size");
    double alpha = (Float) attrs.getOrDefault("alpha", 1e-4f);
    double beta = (Float) attrs.getOrDefault("beta", 0.75f);
    double bias = (Float) attrs.getOrDefault("bias", 1f);
    int n = x.shape().dim(0);
    int channels = x.shape().dim(1);
    int plane = x.size() / (n * channels);
    float[] v = x.data();
    float[] y = new float[v.length];
    for (int b = 0; b < n; b++) {
      for (int c = 0; c < channels; c++) {
        for (int s = 0; s < plane; s++) {
          double sum = 0;
          int lo = Math.max(0, c - (int) Math.floor((size - 1) / 2.0));
          int hi = Math.min(channels - 1, c + (int) Math.ceil((size - 1) / 2.0));
          for (int i = lo; i <= hi; i++) {
            double xi = v[(b * channels + i) * plane + s];
            sum += xi * xi;
          }
          int at = (b * channels + c) * plane + s;
          y[at] = (float) (v[at] / Math.pow(bias + alpha / size * sum, beta));
        }
      }
    }
    return y;
  }
}
