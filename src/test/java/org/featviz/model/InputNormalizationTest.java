package org.featviz.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

class InputNormalizationTest {
  private static final InputNormalization IMAGENET =
      new InputNormalization(
          new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  @Test
  void perImageApplyMatchesBatchApply() {
    Random rng = new Random(50);
    Shape shape = Shape.of(2, 3, 4, 5);
    float[] x = new float[shape.size()];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat();
    float[] batch = IMAGENET.apply(Tensor.of(shape, x)).data();
    float[] one = new float[60];
    float[] image = new float[60];
    System.arraycopy(x, 60, image, 0, 60);
    IMAGENET.apply(image, 3, 20, one);
    for (int i = 0; i < 60; i++) assertEquals(batch[60 + i], one[i], 0f);
  }

  @Test
  void backwardMatchesFiniteDifferencesOfTheLinearMap() {
    Random rng = new Random(51);
    Shape shape = Shape.of(1, 3, 2, 2);
    float[] x = new float[12];
    float[] r = new float[12];
    for (int i = 0; i < 12; i++) {
      x[i] = rng.nextFloat();
      r[i] = rng.nextFloat() * 2 - 1;
    }
    float[] grad = IMAGENET.backward(Tensor.of(shape, r)).data();
    float[] perImage = new float[12];
    IMAGENET.backward(r, 3, 4, perImage);
    assertArrayEquals(grad, perImage);
    double eps = 1e-2;
    for (int k = 0; k < 12; k++) {
      float saved = x[k];
      x[k] = (float) (saved + eps);
      double plus = loss(IMAGENET.apply(Tensor.of(shape, x)).data(), r);
      x[k] = (float) (saved - eps);
      double minus = loss(IMAGENET.apply(Tensor.of(shape, x)).data(), r);
      x[k] = saved;
      assertEquals((plus - minus) / (2 * eps), grad[k], 1e-4 * Math.abs(grad[k]) + 1e-4);
      assertEquals(r[k] / IMAGENET.std()[k / 4], grad[k], 1e-6);
    }
  }

  private static double loss(float[] y, float[] r) {
    double s = 0;
    for (int i = 0; i < y.length; i++) s += (double) y[i] * r[i];
    return s;
  }
}
