package org.featviz.param;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.featviz.ir.Shape;
import org.junit.jupiter.api.Test;

class TransformsTest {
  @Test
  void disabledTransformIsAnExactCopy() {
    Random rng = new Random(20);
    Shape shape = Shape.of(3, 9, 8);
    Transforms none = new Transforms(TransformConfig.none(), shape);
    float[] image = ParamTesting.uniform(shape.size(), rng, -2f, 2f);
    for (int i = 0; i < 3; i++) {
      TransformSample sample = none.draw(rng);
      assertTrue(sample.isIdentity());
      float[] out = new float[shape.size()];
      none.forward(image, sample, out);
      assertArrayEquals(image, out);
      float[] grad = new float[shape.size()];
      none.backward(image, sample, grad);
      assertArrayEquals(image, grad);
    }
    // The identity sample is an exact copy under any configuration.
    Transforms lucid = new Transforms(TransformConfig.lucidDefaults(), shape);
    float[] out = new float[shape.size()];
    lucid.forward(image, TransformSample.identity(), out);
    assertArrayEquals(image, out);
  }

  @Test
  void forwardAndBackwardAreAdjoint() {
    Random rng = new Random(21);
    int[][] cases = {
      {3, 20, 17, 20, 17}, {3, 12, 15, 16, 13}, {1, 28, 28, 28, 28}, {2, 7, 6, 5, 9}
    };
    TransformConfig config = TransformConfig.lucidDefaults();
    for (int[] c : cases) {
      Shape shape = Shape.of(c[0], c[1], c[2]);
      Transforms t = new Transforms(config, shape, c[3], c[4]);
      int outSize = t.outputShape().size();
      float[] zeros = new float[shape.size()];
      float[] fill = new float[outSize];
      for (int draw = 0; draw < 15; draw++) {
        TransformSample s = t.draw(rng);
        t.forward(zeros, s, fill);
        float[] x = ParamTesting.uniform(shape.size(), rng, -1f, 1f);
        float[] y = ParamTesting.uniform(outSize, rng, -1f, 1f);
        float[] ax = new float[outSize];
        t.forward(x, s, ax);
        for (int i = 0; i < outSize; i++)
          ax[i] -= fill[i]; // the linear part: forward(x) - forward(0)
        float[] aty = new float[shape.size()];
        t.backward(y, s, aty);
        double left = ParamTesting.dot(ax, y);
        double right = ParamTesting.dot(x, aty);
        assertEquals(
            left, right, 1e-5 * Math.sqrt(outSize), "<A x, y> = <x, A^T y> for " + s + " " + shape);
      }
    }
  }

  @Test
  void adjointHoldsForLargeScalesAndAnglesToo() {
    Random rng = new Random(22);
    Shape shape = Shape.of(2, 11, 13);
    Transforms t = new Transforms(TransformConfig.lucidDefaults().withPad(3), shape, 14, 10);
    float[] zeros = new float[shape.size()];
    for (TransformSample s :
        List.of(
            new TransformSample(0.5, 37, 2.5, -1.25),
            new TransformSample(2.3, -123, -4, 6),
            new TransformSample(1, 90, 0, 0))) {
      float[] fill = new float[t.outputShape().size()];
      t.forward(zeros, s, fill);
      float[] x = ParamTesting.uniform(shape.size(), rng, -1f, 1f);
      float[] y = ParamTesting.uniform(fill.length, rng, -1f, 1f);
      float[] ax = new float[fill.length];
      t.forward(x, s, ax);
      for (int i = 0; i < ax.length; i++) ax[i] -= fill[i];
      float[] aty = new float[shape.size()];
      t.backward(y, s, aty);
      assertEquals(ParamTesting.dot(ax, y), ParamTesting.dot(x, aty), 1e-4, s.toString());
    }
  }

  @Test
  void integerShiftMovesContentAndFillsThePadRing() {
    Shape shape = Shape.of(1, 6, 5);
    float[] image = ParamTesting.uniform(30, new Random(23), 0f, 1f);
    Transforms t = new Transforms(TransformConfig.none().withPad(2).withPadValue(0.5f), shape);
    float[] out = new float[30];
    t.forward(image, new TransformSample(1, 0, 3, -2), out);
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 5; x++) {
        int sy = y - 2;
        int sx = x + 3;
        float expected;
        if (sy >= 0 && sy < 6 && sx >= 0 && sx < 5) {
          expected = image[sy * 5 + sx];
        } else if (sy >= -2 && sy < 8 && sx >= -2 && sx < 7) {
          expected = 0.5f;
        } else {
          expected = 0f;
        }
        assertEquals(expected, out[y * 5 + x], "out[" + y + ", " + x + "]");
      }
    }
  }

  @Test
  void quarterTurnRotatesContentCounterClockwise() {
    int n = 7;
    Shape shape = Shape.of(1, n, n);
    float[] image = ParamTesting.uniform(n * n, new Random(24), 0f, 1f);
    Transforms t = new Transforms(TransformConfig.none(), shape);
    float[] out = new float[n * n];
    t.forward(image, new TransformSample(1, 90, 0, 0), out);
    // Counter-clockwise: the image's top-right corner lands at the top-left, so out[y][x] =
    // image[x][n - 1 - y].
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) assertEquals(image[x * n + (n - 1 - y)], out[y * n + x], 1e-6);
    }
  }

  @Test
  void scaleZoomsAboutTheCenterWithBilinearSampling() {
    Shape shape = Shape.of(1, 5, 5);
    float[] image = new float[25];
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 5; x++)
        image[y * 5 + x] = 10 * y + x; // bilinear reproduces a linear ramp exactly
    }
    Transforms t = new Transforms(TransformConfig.none(), shape, 3, 4);
    float[] out = new float[12];
    t.forward(image, new TransformSample(2, 0, 0.25, 0), out);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 4; x++) {
        double sx = 2 + (x - 1.5) / 2 + 0.25;
        double sy = 2 + (y - 1.0) / 2;
        assertEquals(10 * sy + sx, out[y * 4 + x], 1e-5, "out[" + y + ", " + x + "]");
      }
    }
  }

  @Test
  void drawsFollowTheConfiguration() {
    Random rng = new Random(25);
    Transforms t = new Transforms(TransformConfig.lucidDefaults(), Shape.of(3, 16, 16));
    Set<Double> shifts = new HashSet<>();
    Set<Double> angles = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      TransformSample s = t.draw(rng);
      assertTrue(TransformConfig.lucidScales().contains(s.scale()), "scale " + s.scale());
      assertTrue(
          s.angleDegrees() >= -10
              && s.angleDegrees() <= 10
              && s.angleDegrees() == Math.rint(s.angleDegrees()));
      assertTrue(Math.abs(s.tx()) <= 6 && Math.abs(s.ty()) <= 6 && s.tx() == Math.rint(s.tx()));
      shifts.add(s.tx());
      angles.add(s.angleDegrees());
    }
    assertEquals(13, shifts.size(), "shifts -6..6: " + shifts);
    assertEquals(21, angles.size());
    assertEquals(26, TransformConfig.lucidAngles().size());
    assertEquals(0.9, TransformConfig.lucidScales().get(0), 1e-12);
    assertEquals(1.1, TransformConfig.lucidScales().get(10), 1e-12);

    Transforms onlyJitter =
        new Transforms(TransformConfig.none().withFirstJitter(3), Shape.of(1, 4, 4));
    Set<Double> offsets = new HashSet<>();
    for (int i = 0; i < 500; i++) offsets.add(onlyJitter.draw(rng).tx());
    assertEquals(Set.of(-1.0, 0.0, 1.0, 2.0), offsets);
  }
}
