package org.featviz.cpu;

import static org.featviz.Literals.ints;
import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.backward;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.distinct;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.widen;
import static org.featviz.cpu.OpTesting.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.UnsupportedOpException;
import org.junit.jupiter.api.Test;

class MaxPoolTest {
  /**
   * A 2-D pooling configuration: kernel {kh, kw}, strides, pads {hBegin, wBegin, hEnd, wEnd},
   * dilations.
   */
  record Case(
      String name,
      int h,
      int w,
      int[] kernel,
      int[] strides,
      int[] pads,
      int[] dilations,
      boolean ceil) {
    Map<String, Object> attrs() {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("kernel_shape", widen(kernel));
      a.put("strides", widen(strides));
      a.put("pads", widen(pads));
      a.put("dilations", widen(dilations));
      a.put("ceil_mode", ceil ? 1L : 0L);
      return a;
    }

    NaiveSpatial.Geometry geometry() {
      return NaiveSpatial.planar(h, w, kernel[0], kernel[1], strides, dilations, pads, ceil);
    }
  }

  /**
   * Configurations shared with {@link AveragePoolTest} (which ignores dilations before opset 19).
   */
  static final Case[] CASES = {
    new Case("2x2, strides 2", 6, 6, ints(2, 2), ints(2, 2), ints(0, 0, 0, 0), ints(1, 1), false),
    new Case(
        "3x3, strides 2, pads 1",
        7,
        6,
        ints(3, 3),
        ints(2, 2),
        ints(1, 1, 1, 1),
        ints(1, 1),
        false),
    new Case("asymmetric pads", 5, 6, ints(3, 2), ints(1, 2), ints(0, 1, 2, 0), ints(1, 1), false),
    new Case("ceil_mode", 6, 7, ints(3, 3), ints(2, 2), ints(0, 0, 0, 0), ints(1, 1), true),
    new Case(
        "ceil_mode with pads, last window dropped",
        5,
        5,
        ints(2, 2),
        ints(2, 2),
        ints(0, 0, 2, 1),
        ints(1, 1),
        true),
    new Case("dilations 2", 7, 8, ints(2, 3), ints(1, 2), ints(1, 0, 1, 1), ints(2, 2), false),
    // Enough taps per (n, c) plane that Parallel.range runs the planes on the pool.
    new Case(
        "large enough to run in parallel",
        24,
        24,
        ints(4, 4),
        ints(1, 1),
        ints(1, 1, 2, 2),
        ints(1, 1),
        false),
  };

  @Test
  void forwardMatchesNaivePooling() {
    Random rng = new Random(21);
    for (Case k : CASES) {
      Tensor x = OpTesting.random(Shape.of(2, 3, k.h(), k.w()), rng, -1, 1);
      Tensor y = forward(node("MaxPool", k.attrs(), 1, 1), x)[0];
      NaiveSpatial.Geometry g = k.geometry();
      assertEquals(Shape.of(2, 3, g.out()[1], g.out()[2]), y.shape(), k.name() + ": output shape");
      assertExact(NaiveSpatial.pool(x.data(), 6, g, true, false), y.data(), "MaxPool " + k.name());
    }
  }

  @Test
  void ceilModeDropsAWindowThatWouldStartInTheEndPadding() {
    // 5 + 0 + 2 = 7 wide, kernel 2, stride 2: ceil((7 - 2) / 2 + 1) = 4, but window 4 would start
    // at 6 >= 5.
    assertEquals(3, NaiveSpatial.outputSize(5, 2, 2, 1, 0, 2, true));
    Tensor y = forward(node("MaxPool", CASES[4].attrs(), 1, 1), zeros(1, 1, 5, 5))[0];
    assertEquals(Shape.of(1, 1, 3, 3), y.shape());
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Random rng = new Random(22);
    for (Case k : CASES) {
      Tensor x = distinct(Shape.of(2, 2, k.h(), k.w()), rng, 0.05f);
      checkGradient(node("MaxPool", k.attrs(), 1, 1), x, 23, 1e-2, 1e-2);
    }
  }

  @Test
  void tiesSendTheGradientToTheFirstMaximumInWindowOrder() {
    Node pool = node("MaxPool", Map.of("kernel_shape", longs(2, 2), "strides", longs(2, 2)), 1, 1);
    Tensor x = Tensor.of(Shape.of(1, 1, 2, 4), new float[] {1, 3, 5, 5, 3, 2, 5, 5});
    Tensor y = forward(pool, x)[0];
    assertExact(new float[] {3, 5}, y.data(), "MaxPool with ties");
    Tensor dx = Tensor.zeros(x.shape());
    backward(
        pool,
        new Tensor[] {x},
        new Tensor[] {y},
        new Tensor[] {Tensor.of(y.shape(), new float[] {10, 20})},
        new Tensor[] {dx});
    assertExact(new float[] {0, 10, 20, 0, 0, 0, 0, 0}, dx.data(), "MaxPool gradient with ties");
  }

  @Test
  void aNanInAWindowIsItsResultAndTakesItsGradient() {
    // NaN propagates (as cuDNN's CUDNN_PROPAGATE_NAN, which the device uses), wherever it sits in
    // the window: first
    // tap, later tap, or beside a larger value; windows without NaN are unchanged.
    Node pool = node("MaxPool", Map.of("kernel_shape", longs(2, 2), "strides", longs(2, 2)), 1, 1);
    float nan = Float.NaN;
    Tensor x =
        Tensor.of(
            Shape.of(1, 1, 2, 8),
            new float[] {nan, 1, 9, 2, 4, 3, 1, 2, 0, 5, 7, nan, nan, 8, 6, 7});
    Tensor y = forward(pool, x)[0];
    float[] v = y.data();
    assertTrue(
        Float.isNaN(v[0]) && Float.isNaN(v[1]) && Float.isNaN(v[2]), java.util.Arrays.toString(v));
    assertEquals(7f, v[3], "the window without NaN");
    Tensor dx = Tensor.zeros(x.shape());
    backward(
        pool,
        new Tensor[] {x},
        new Tensor[] {y},
        new Tensor[] {Tensor.of(y.shape(), new float[] {10, 20, 30, 40})},
        new Tensor[] {dx});
    assertExact(
        new float[] {10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 30, 0, 0, 40},
        dx.data(),
        "the gradient goes to the (first) NaN of each window");
  }

  @Test
  void autoPadSameAndValid() {
    // The ONNX example test_maxpool_2d_precomputed_same_upper: 5x5 ramp 1..25, kernel 3, strides 2.
    Tensor ramp = ramp(Shape.of(1, 1, 5, 5));
    Node upper =
        node(
            "MaxPool",
            Map.of("auto_pad", "SAME_UPPER", "kernel_shape", longs(3, 3), "strides", longs(2, 2)),
            1,
            1);
    assertExact(
        new float[] {7, 9, 10, 17, 19, 20, 22, 24, 25},
        forward(upper, ramp)[0].data(),
        "SAME_UPPER example");
    Random rng = new Random(24);
    for (String mode : new String[] {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
      Map<String, Object> attrs =
          Map.of("auto_pad", mode, "kernel_shape", longs(2, 3), "strides", longs(2, 2));
      Tensor x = distinct(Shape.of(1, 2, 5, 6), rng, 0.05f);
      NaiveSpatial.Geometry g = NaiveSpatial.autoPad(mode, 5, 6, 2, 3, 2, 2);
      Tensor y = forward(node("MaxPool", attrs, 1, 1), x)[0];
      Shape expected = mode.equals("VALID") ? Shape.of(1, 2, 2, 2) : Shape.of(1, 2, 3, 3);
      assertEquals(expected, y.shape(), mode);
      assertExact(NaiveSpatial.pool(x.data(), 2, g, true, false), y.data(), "MaxPool " + mode);
      checkGradient(node("MaxPool", attrs, 1, 1), x, 25, 1e-2, 1e-2);
    }
  }

  @Test
  void oneAndThreeSpatialAxes() {
    Random rng = new Random(26);
    Node pool1 =
        node(
            "MaxPool",
            Map.of("kernel_shape", longs(3), "strides", longs(2), "pads", longs(1, 1)),
            1,
            1);
    Tensor x1 = distinct(Shape.of(2, 3, 9), rng, 0.05f);
    NaiveSpatial.Geometry g1 =
        NaiveSpatial.undilated(
            ints(1, 1, 9), ints(1, 1, 3), ints(1, 1, 2), ints(0, 0, 1), ints(0, 0, 1), false);
    Tensor y1 = forward(pool1, x1)[0];
    assertEquals(Shape.of(2, 3, 5), y1.shape());
    assertExact(NaiveSpatial.pool(x1.data(), 6, g1, true, false), y1.data(), "MaxPool 1-D");
    checkGradient(pool1, x1, 27, 1e-2, 1e-2);

    Node pool3 =
        node(
            "MaxPool",
            Map.of("kernel_shape", longs(2, 2, 2), "strides", longs(1, 2, 2), "ceil_mode", 1L),
            1,
            1);
    Tensor x3 = distinct(Shape.of(1, 2, 3, 5, 4), rng, 0.05f);
    NaiveSpatial.Geometry g3 =
        NaiveSpatial.undilated(
            ints(3, 5, 4), ints(2, 2, 2), ints(1, 2, 2), ints(0, 0, 0), ints(0, 0, 0), true);
    Tensor y3 = forward(pool3, x3)[0];
    assertEquals(Shape.of(1, 2, 2, 3, 2), y3.shape());
    assertExact(NaiveSpatial.pool(x3.data(), 2, g3, true, false), y3.data(), "MaxPool 3-D");
    checkGradient(pool3, x3, 28, 1e-2, 1e-2);
  }

  @Test
  void indicesOutputIsUnsupported() {
    Node withIndices = node("MaxPool", Map.of("kernel_shape", longs(2, 2)), 1, 2);
    assertThrows(UnsupportedOpException.class, () -> forward(withIndices, zeros(1, 1, 4, 4)));
  }

  static Tensor ramp(Shape shape) {
    float[] v = new float[shape.size()];
    for (int i = 0; i < v.length; i++) v[i] = i + 1;
    return Tensor.of(shape, v);
  }
}
