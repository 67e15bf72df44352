package org.featviz.objective;

import static org.featviz.objective.ObjectiveTesting.awayFrom;
import static org.featviz.objective.ObjectiveTesting.checkImageGradient;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.junit.jupiter.api.Test;

/** totalVariation, l1 and blur: hand-computed values and gradients against finite differences. */
class ImageRegularizersTest {
  private static final Shape CHW = Shape.of(3, 4, 5);

  /**
   * Pixel values at least 0.01 apart (a shuffled grid): no neighbour difference is near |d|'s kink.
   */
  private static float[] distinctImage(Random rng) {
    int n = CHW.size();
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = 0.2f + 0.01f * i;
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      float t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
    return v;
  }

  @Test
  void totalVariationValue() {
    // [[0, 1], [2, 4]]: horizontal |1| + |2|, vertical |2| + |3| = 8; mean over 4 pixels
    float[] grad = new float[4];
    double v =
        ImageRegularizers.totalVariation(0.5)
            .evaluate(new float[] {0, 1, 2, 4}, Shape.of(1, 2, 2), grad);
    assertEquals(-0.5 * 8 / 4, v, 1e-12);
    // pixel 0 is the smaller end of both of its pairs: d(-0.5/4 * (|x1 - x0| + |x2 - x0|)) / dx0 =
    // +0.25
    assertArrayEquals(new float[] {0.25f, 0, 0, -0.25f}, grad, 1e-7f);
    assertEquals("totalVariation(0.5)", ImageRegularizers.totalVariation(0.5).describe());
  }

  @Test
  void l1Value() {
    float[] grad = new float[2];
    double v = ImageRegularizers.l1(2).evaluate(new float[] {0.25f, 1f}, Shape.of(1, 1, 2), grad);
    assertEquals(-2 * (0.25 + 0.5) / 2, v, 1e-12);
    assertArrayEquals(new float[] {1, -1}, grad);
  }

  @Test
  void blurValue() {
    // [0, 2]: each pixel's 3x3 neighbourhood is both pixels, blur = [1, 1], r = [-1, 1], |r|^2 / 2
    // = 1
    float[] grad = new float[2];
    double v = ImageRegularizers.blur(3).evaluate(new float[] {0, 2}, Shape.of(1, 1, 2), grad);
    assertEquals(-3 * 1.0 / 2, v, 1e-12);
    // (I - B)^T r = r - B^T r = [-1, 1] - [0, 0]; times -3 / 2
    assertArrayEquals(new float[] {1.5f, -1.5f}, grad, 1e-6f);
    float[] flat = new float[CHW.size()];
    java.util.Arrays.fill(flat, 0.7f);
    float[] g = new float[flat.length];
    assertEquals(0, ImageRegularizers.blur(1).evaluate(flat, CHW, g), 1e-12);
    for (float x : g) assertEquals(0, x, 1e-6);
  }

  @Test
  void gradients() {
    Random rng = new Random(71);
    checkImageGradient(ImageRegularizers.totalVariation(0.3), distinctImage(rng), CHW, 1e-3, 1e-3);
    checkImageGradient(
        ImageRegularizers.l1(0.5), awayFrom(0.5f, 0.01f, CHW.size(), rng, 0, 1), CHW, 1e-3, 1e-3);
    checkImageGradient(
        ImageRegularizers.l1(1.5, 0.2),
        awayFrom(0.2f, 0.01f, CHW.size(), rng, 0, 1),
        CHW,
        1e-3,
        1e-3);
    checkImageGradient(
        ImageRegularizers.blur(2),
        ObjectiveTesting.uniform(CHW.size(), rng, 0, 1),
        CHW,
        1e-3,
        1e-3);
  }

  @Test
  void shapeErrors() {
    assertThrows(
        ModelException.class,
        () -> ImageRegularizers.blur(1).evaluate(new float[6], Shape.of(6), new float[6]));
    assertThrows(
        ModelException.class,
        () -> ImageRegularizers.l1(1).evaluate(new float[5], Shape.of(1, 2, 3), new float[6]));
  }
}
