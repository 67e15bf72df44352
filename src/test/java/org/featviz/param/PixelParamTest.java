package org.featviz.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.featviz.ir.Shape;
import org.junit.jupiter.api.Test;

class PixelParamTest {
  @Test
  void imageIsSigmoidOfParams() {
    PixelParam param = new PixelParam(Shape.of(3, 4, 5));
    float[] p = ParamTesting.uniform(param.size(), new Random(1), -6f, 6f);
    float[] image = new float[60];
    param.toImage(p, image);
    for (int i = 0; i < p.length; i++) {
      assertEquals(1 / (1 + Math.exp(-p[i])), image[i], 1e-7);
      assertTrue(image[i] > 0 && image[i] < 1);
    }
  }

  @Test
  void initIsSmallGaussianNoise() {
    PixelParam param = new PixelParam(Shape.of(1, 100, 100));
    float[] p = new float[param.size()];
    param.init(p, new Random(2));
    double sum = 0;
    double sq = 0;
    for (float v : p) {
      sum += v;
      sq += v * (double) v;
    }
    double mean = sum / p.length;
    double std = Math.sqrt(sq / p.length - mean * mean);
    assertEquals(0, mean, 5e-4);
    assertEquals(0.01, std, 5e-4);

    PixelParam wide = new PixelParam(Shape.of(1, 100, 100), 0.5);
    wide.init(p, new Random(2));
    sq = 0;
    for (float v : p) sq += v * (double) v;
    assertEquals(0.5, Math.sqrt(sq / p.length), 0.02);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    PixelParam param = new PixelParam(Shape.of(3, 5, 4));
    float[] p = ParamTesting.uniform(param.size(), new Random(3), -3f, 3f);
    ParamTesting.checkGradient(param, p, 4, 1e-3, 1e-3, 60);
  }
}
