package org.featviz.cpu;

import static org.featviz.Literals.ints;
import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.backward;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cpu.OpTesting.widen;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.UnsupportedOpException;
import org.junit.jupiter.api.Test;

class ConvTest {
  /**
   * One 2-D Conv configuration: channels c in, m out, an h x w input, a kh x kw kernel, strides
   * {sh, sw}, pads {hBegin, wBegin, hEnd, wEnd}, dilations {dh, dw}.
   */
  private record Case(
      String name,
      int c,
      int m,
      int group,
      int h,
      int w,
      int kh,
      int kw,
      int[] strides,
      int[] pads,
      int[] dilations,
      boolean bias) {
    Map<String, Object> attrs() {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("strides", widen(strides));
      a.put("pads", widen(pads));
      a.put("dilations", widen(dilations));
      a.put("group", (long) group);
      a.put("kernel_shape", longs(kh, kw));
      return a;
    }

    NaiveSpatial.Geometry geometry() {
      return NaiveSpatial.planar(h, w, kh, kw, strides, dilations, pads, false);
    }
  }

  private static final int N = 2;

  private static final Case[] CASES = {
    new Case("3x3, pads 1", 3, 4, 1, 6, 7, 3, 3, ints(1, 1), ints(1, 1, 1, 1), ints(1, 1), true),
    new Case(
        "strides 2, asymmetric pads",
        3,
        2,
        1,
        7,
        6,
        3,
        2,
        ints(2, 2),
        ints(0, 1, 2, 1),
        ints(1, 1),
        true),
    new Case("dilations 2", 2, 3, 1, 8, 8, 3, 3, ints(1, 1), ints(1, 1, 1, 1), ints(2, 2), true),
    new Case(
        "dilation and stride per axis",
        2,
        3,
        1,
        9,
        8,
        2,
        3,
        ints(2, 1),
        ints(1, 0, 0, 2),
        ints(1, 2),
        true),
    new Case("group 2", 4, 6, 2, 5, 6, 3, 3, ints(1, 2), ints(1, 1, 1, 1), ints(1, 1), true),
    new Case("depthwise", 4, 4, 4, 6, 6, 3, 3, ints(2, 2), ints(1, 1, 1, 1), ints(1, 1), true),
    new Case(
        "depthwise, multiplier 2",
        3,
        6,
        3,
        5,
        5,
        3,
        3,
        ints(1, 1),
        ints(0, 0, 0, 0),
        ints(1, 1),
        false),
    new Case("1x1, no bias", 5, 3, 1, 4, 3, 1, 1, ints(1, 1), ints(0, 0, 0, 0), ints(1, 1), false),
    new Case(
        "pads wider than the kernel",
        2,
        2,
        1,
        4,
        4,
        2,
        2,
        ints(3, 3),
        ints(3, 2, 3, 4),
        ints(1, 1),
        true),
    // Enough work per batch item (and per output channel for dW) that Parallel.range runs them on
    // the pool.
    new Case(
        "large enough to run in parallel",
        8,
        8,
        2,
        8,
        8,
        3,
        3,
        ints(1, 1),
        ints(1, 1, 1, 1),
        ints(1, 1),
        true),
  };

  @Test
  void forwardMatchesNaiveConvolution() {
    Random rng = new Random(11);
    for (Case k : CASES) {
      Tensor[] in = inputs(k, rng);
      Tensor y = forward(node("Conv", k.attrs(), in.length, 1), in)[0];
      NaiveSpatial.Geometry g = k.geometry();
      assertEquals(
          Shape.of(N, k.m(), g.out()[1], g.out()[2]), y.shape(), k.name() + ": output shape");
      float[] expected =
          NaiveSpatial.conv(
              in[0].data(),
              in[1].data(),
              k.bias() ? in[2].data() : null,
              N,
              k.c(),
              k.m(),
              k.group(),
              g);
      assertClose(expected, y.data(), 1e-5, 1e-5, "Conv " + k.name());
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesForInputWeightAndBias() {
    Random rng = new Random(12);
    for (Case k : CASES) {
      Tensor[] in = inputs(k, rng);
      boolean[] wrt = k.bias() ? new boolean[] {true, true, true} : new boolean[] {true, true};
      checkGradient(node("Conv", k.attrs(), in.length, 1), in, wrt, 13, 1e-2, 1e-2);
    }
  }

  /**
   * The shapes featviz renders with (fashion-cnn: 3 x 3, pads 1, 64 and 128 channels at 28 x 28 and
   * 14 x 14), cut down in batch and channels so the naive references stay fast, with channel counts
   * that leave remainders in ConvGemm's tiles of four, two column blocks per 28 x 28 plane, a
   * single batch item (channel slices run in parallel) and two groups. Forward and input gradient
   * are compared with plain loops on fresh random inputs.
   */
  @Test
  void fashionCnnSizedLayersMatchNaiveForwardAndInputGradient() {
    Random rng = new Random(21);
    int[][] shapes = { // n, c, m, group, h (= w)
      {1, 64, 72, 1, 14}, {2, 16, 22, 1, 28}, {3, 24, 40, 2, 14}, {2, 3, 64, 1, 28}
    };
    for (int[] s : shapes) {
      int n = s[0];
      int c = s[1];
      int m = s[2];
      int group = s[3];
      int h = s[4];
      String name = String.format("N %d, C %d, M %d, group %d, %d x %d", n, c, m, group, h, h);
      Map<String, Object> attrs = Map.of("pads", longs(1, 1, 1, 1), "group", (long) group);
      Tensor x = random(Shape.of(n, c, h, h), rng, -1, 1);
      Tensor w = random(Shape.of(m, c / group, 3, 3), rng, -1, 1);
      Tensor b = random(Shape.of(m), rng, -1, 1);
      Node conv = node("Conv", attrs, 3, 1);
      Tensor y = forward(conv, x, w, b)[0];
      NaiveSpatial.Geometry g =
          NaiveSpatial.undilated(
              ints(1, h, h), ints(1, 3, 3), ints(1, 1, 1), ints(0, 1, 1), ints(0, 1, 1), false);
      float[] expected = NaiveSpatial.conv(x.data(), w.data(), b.data(), n, c, m, group, g);
      assertRelativelyClose(expected, y.data(), name + ": forward");

      Tensor dy = random(y.shape(), rng, -1, 1);
      Tensor dx = Tensor.zeros(x.shape());
      backward(
          conv,
          new Tensor[] {x, w, b},
          new Tensor[] {y},
          new Tensor[] {dy},
          new Tensor[] {dx, null, null});
      float[] expectedDx = naiveInputGradient(w.data(), dy.data(), n, c, m, group, h);
      assertRelativelyClose(expectedDx, dx.data(), name + ": input gradient");
    }
  }

  /**
   * dx[n, ci, ih, iw] = sum over m, kh, kw: w[m, ci, kh, kw] * dy[n, m, ih + 1 - kh, iw + 1 - kw]
   * (3 x 3, pads 1).
   */
  private static float[] naiveInputGradient(
      float[] w, float[] dy, int n, int c, int m, int group, int h) {
    int cg = c / group;
    int mg = m / group;
    float[] dx = new float[n * c * h * h];
    for (int in = 0; in < n; in++) {
      for (int ch = 0; ch < c; ch++) {
        for (int ih = 0; ih < h; ih++) {
          for (int iw = 0; iw < h; iw++) {
            double sum = 0;
            for (int om = (ch / cg) * mg; om < (ch / cg + 1) * mg; om++) {
              for (int kh = 0; kh < 3; kh++) {
                for (int kw = 0; kw < 3; kw++) {
                  int oh = ih + 1 - kh;
                  int ow = iw + 1 - kw;
                  if (oh < 0 || oh >= h || ow < 0 || ow >= h) continue;
                  sum +=
                      (double) w[((om * cg + ch % cg) * 3 + kh) * 3 + kw]
                          * dy[((in * m + om) * h + oh) * h + ow];
                }
              }
            }
            dx[((in * c + ch) * h + ih) * h + iw] = (float) sum;
          }
        }
      }
    }
    return dx;
  }

  /**
   * ||actual - expected|| <= 1e-5 ||expected|| (false for any NaN), and every element within 1e-5
   * of the largest.
   */
  private static void assertRelativelyClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    double diff = 0;
    double norm = 0;
    double largest = 0;
    for (int i = 0; i < expected.length; i++) {
      diff += (actual[i] - (double) expected[i]) * (actual[i] - (double) expected[i]);
      norm += (double) expected[i] * expected[i];
      largest = Math.max(largest, Math.abs(expected[i]));
    }
    double relative = Math.sqrt(diff / norm);
    assertTrue(norm > 0 && relative <= 1e-5, what + ": relative error " + relative);
    assertClose(expected, actual, 1e-5, 1e-5 * largest, what);
  }

  @Test
  void autoPadSameSplitsThePaddingAndValidUsesNone() {
    Random rng = new Random(14);
    // 6 wide, kernel 3, stride 2: out 3, total padding (3 - 1) * 2 + 3 - 6 = 1, so the sides
    // differ.
    for (String mode : new String[] {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
      Map<String, Object> attrs = Map.of("auto_pad", mode, "strides", longs(2, 2));
      Tensor x = random(Shape.of(1, 2, 6, 7), rng, -1, 1);
      Tensor w = random(Shape.of(3, 2, 3, 3), rng, -1, 1);
      Tensor y = forward(node("Conv", attrs, 2, 1), x, w)[0];
      NaiveSpatial.Geometry g = NaiveSpatial.autoPad(mode, 6, 7, 3, 3, 2, 2);
      Shape expectedShape = mode.equals("VALID") ? Shape.of(1, 3, 2, 3) : Shape.of(1, 3, 3, 4);
      assertEquals(expectedShape, y.shape(), mode + ": output shape");
      assertClose(
          NaiveSpatial.conv(x.data(), w.data(), null, 1, 2, 3, 1, g),
          y.data(),
          1e-5,
          1e-5,
          "Conv " + mode);
      checkGradient(
          node("Conv", attrs, 2, 1),
          new Tensor[] {x, w},
          new boolean[] {true, true},
          15,
          1e-2,
          1e-2);
    }
  }

  @Test
  void matchesTheOnnxSpecExamples() {
    // test_conv_with_autopad_same: 5x5 ramp, 3x3 ones, SAME_LOWER, strides 2.
    Tensor x = ramp(Shape.of(1, 1, 5, 5), 0);
    Tensor ones = Tensor.of(Shape.of(1, 1, 3, 3), new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1});
    Node same =
        node(
            "Conv",
            Map.of("auto_pad", "SAME_LOWER", "kernel_shape", longs(3, 3), "strides", longs(2, 2)),
            2,
            1);
    assertExact(
        new float[] {12, 27, 24, 63, 108, 81, 72, 117, 84},
        forward(same, x, ones)[0].data(),
        "SAME_LOWER example");
    // test_conv_with_strides_and_asymmetric_padding: 7x5 ramp, pads [1, 0, 1, 0], strides 2.
    Tensor x75 = ramp(Shape.of(1, 1, 7, 5), 0);
    Node asym =
        node(
            "Conv",
            Map.of("kernel_shape", longs(3, 3), "pads", longs(1, 0, 1, 0), "strides", longs(2, 2)),
            2,
            1);
    Tensor y = forward(asym, x75, ones)[0];
    assertEquals(Shape.of(1, 1, 4, 2), y.shape());
    assertExact(
        new float[] {21, 33, 99, 117, 189, 207, 171, 183}, y.data(), "asymmetric padding example");
  }

  @Test
  void oneAndThreeSpatialAxesMatchNaiveConvolution() {
    Random rng = new Random(16);
    // 1-D: N x C x W with stride 2, asymmetric pads, dilation 2, group 2.
    Map<String, Object> a1 =
        Map.of("strides", longs(2), "pads", longs(1, 2), "dilations", longs(2), "group", 2L);
    Tensor x1 = random(Shape.of(2, 4, 9), rng, -1, 1);
    Tensor w1 = random(Shape.of(6, 2, 3), rng, -1, 1);
    Tensor b1 = random(Shape.of(6), rng, -1, 1);
    Tensor y1 = forward(node("Conv", a1, 3, 1), x1, w1, b1)[0];
    NaiveSpatial.Geometry g1 =
        NaiveSpatial.geometry(
            ints(1, 1, 9),
            ints(1, 1, 3),
            ints(1, 1, 2),
            ints(1, 1, 2),
            ints(0, 0, 1),
            ints(0, 0, 2),
            false);
    assertEquals(Shape.of(2, 6, g1.out()[2]), y1.shape());
    assertClose(
        NaiveSpatial.conv(x1.data(), w1.data(), b1.data(), 2, 4, 6, 2, g1),
        y1.data(),
        1e-5,
        1e-5,
        "Conv 1-D");
    checkGradient(
        node("Conv", a1, 3, 1),
        new Tensor[] {x1, w1, b1},
        new boolean[] {true, true, true},
        17,
        1e-2,
        1e-2);

    // 3-D: N x C x D x H x W with strides (2, 1, 1) and pads on every side.
    Map<String, Object> a3 = Map.of("strides", longs(2, 1, 1), "pads", longs(1, 0, 1, 0, 1, 1));
    Tensor x3 = random(Shape.of(1, 2, 5, 4, 3), rng, -1, 1);
    Tensor w3 = random(Shape.of(2, 2, 3, 2, 2), rng, -1, 1);
    Tensor y3 = forward(node("Conv", a3, 2, 1), x3, w3)[0];
    NaiveSpatial.Geometry g3 =
        NaiveSpatial.undilated(
            ints(5, 4, 3), ints(3, 2, 2), ints(2, 1, 1), ints(1, 0, 1), ints(0, 1, 1), false);
    assertEquals(Shape.of(1, 2, g3.out()[0], g3.out()[1], g3.out()[2]), y3.shape());
    assertClose(
        NaiveSpatial.conv(x3.data(), w3.data(), null, 1, 2, 2, 1, g3),
        y3.data(),
        1e-5,
        1e-5,
        "Conv 3-D");
    checkGradient(
        node("Conv", a3, 2, 1), new Tensor[] {x3, w3}, new boolean[] {true, true}, 18, 1e-2, 1e-2);
  }

  @Test
  void gradientOfTheInputAloneWhenWeightsAreFrozen() {
    Random rng = new Random(19);
    Case k = CASES[1];
    Tensor[] in = inputs(k, rng);
    Node conv = node("Conv", k.attrs(), in.length, 1);
    Tensor y = forward(conv, in)[0];
    Tensor dy = random(y.shape(), rng, -1, 1);
    Tensor dx = Tensor.zeros(in[0].shape());
    backward(conv, in, new Tensor[] {y}, new Tensor[] {dy}, new Tensor[] {dx, null, null});
    double norm = 0;
    for (float v : dx.data()) norm += v * v;
    assertTrue(norm > 0, "input gradient is zero");
  }

  @Test
  void rejectsMismatchedShapesAndUnsupportedRanks() {
    Node conv = node("Conv", Map.of("group", 2L), 2, 1);
    Tensor x = zeros(1, 3, 4, 4);
    Tensor w = zeros(2, 1, 3, 3);
    assertThrows(
        ModelException.class, () -> forward(conv, x, w), "3 channels cannot split into 2 groups");
    Node plain = node("Conv", Map.of("kernel_shape", longs(2, 2)), 2, 1);
    assertThrows(
        ModelException.class,
        () -> forward(plain, x, zeros(2, 3, 3, 3)),
        "kernel_shape disagrees with the weight");
    assertThrows(
        ModelException.class,
        () -> forward(node("Conv", Map.of(), 2, 1), zeros(1, 3, 2, 2), zeros(2, 3, 3, 3)),
        "kernel larger than the input");
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class,
            () ->
                forward(
                    node("Conv", Map.of(), 2, 1),
                    zeros(1, 1, 2, 2, 2, 2),
                    zeros(1, 1, 1, 1, 1, 1)));
    assertTrue(e.getMessage().contains("spatial"), e.getMessage());
  }

  private static Tensor[] inputs(Case k, Random rng) {
    Tensor x = random(Shape.of(N, k.c(), k.h(), k.w()), rng, -1, 1);
    Tensor w = random(Shape.of(k.m(), k.c() / k.group(), k.kh(), k.kw()), rng, -1, 1);
    if (!k.bias()) return new Tensor[] {x, w};
    return new Tensor[] {x, w, random(Shape.of(k.m()), rng, -1, 1)};
  }

  private static Tensor ramp(Shape shape, float start) {
    float[] v = new float[shape.size()];
    for (int i = 0; i < v.length; i++) v[i] = start + i;
    return Tensor.of(shape, v);
  }
}
