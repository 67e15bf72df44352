package org.featviz.cpu;

import static org.featviz.Literals.ints;
import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

class AveragePoolTest {
  @Test
  void forwardMatchesNaivePoolingWithAndWithoutPadding() {
    Random rng = new Random(31);
    for (MaxPoolTest.Case k : MaxPoolTest.CASES) {
      for (long includePad : longs(0, 1)) {
        Tensor x = random(Shape.of(2, 3, k.h(), k.w()), rng, -1, 1);
        Tensor y = forward(averagePool(k, includePad), x)[0];
        NaiveSpatial.Geometry g = k.geometry();
        String what = "AveragePool " + k.name() + ", count_include_pad " + includePad;
        assertEquals(Shape.of(2, 3, g.out()[1], g.out()[2]), y.shape(), what + ": output shape");
        assertClose(
            NaiveSpatial.pool(x.data(), 6, g, false, includePad == 1), y.data(), 1e-6, 1e-6, what);
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Random rng = new Random(32);
    for (MaxPoolTest.Case k : MaxPoolTest.CASES) {
      for (long includePad : longs(0, 1)) {
        Tensor x = random(Shape.of(2, 2, k.h(), k.w()), rng, -1, 1);
        checkGradient(averagePool(k, includePad), x, 33, 1e-2, 1e-2);
      }
    }
  }

  @Test
  void matchesTheOnnxSpecExamples() {
    // test_averagepool_2d_ceil: 4x4 ramp 1..16, kernel 3, strides 2, ceil_mode.
    Node ceil =
        node(
            "AveragePool",
            Map.of("kernel_shape", longs(3, 3), "strides", longs(2, 2), "ceil_mode", 1L),
            1,
            1);
    assertExact(
        new float[] {6, 7.5f, 12, 13.5f},
        forward(ceil, MaxPoolTest.ramp(Shape.of(1, 1, 4, 4)))[0].data(),
        "ceil_mode example");
    // test_averagepool_2d_precomputed_pads_count_include_pad: 5x5 ramp, kernel 5, pads 2, divisor
    // always 25.
    Node include =
        node(
            "AveragePool",
            Map.of("kernel_shape", longs(5, 5), "pads", longs(2, 2, 2, 2), "count_include_pad", 1L),
            1,
            1);
    float[] expected = {
      2.52f, 3.6f, 4.8f, 4.08f, 3.24f, 4.56f, 6.4f, 8.4f, 7.04f, 5.52f, 7.2f, 10, 13, 10.8f, 8.4f,
      6.96f, 9.6f, 12.4f, 10.24f, 7.92f, 6.12f, 8.4f, 10.8f, 8.88f, 6.84f
    };
    assertClose(
        expected,
        forward(include, MaxPoolTest.ramp(Shape.of(1, 1, 5, 5)))[0].data(),
        1e-6,
        1e-6,
        "count_include_pad example");
  }

  @Test
  void autoPadSameCountsOnlyTheInputByDefault() {
    Random rng = new Random(34);
    for (String mode : new String[] {"SAME_UPPER", "SAME_LOWER"}) {
      for (long includePad : longs(0, 1)) {
        Node pool =
            node(
                "AveragePool",
                Map.of(
                    "auto_pad", mode, "kernel_shape", longs(2, 2), "count_include_pad", includePad),
                1,
                1);
        Tensor x = random(Shape.of(1, 3, 5, 4), rng, -1, 1);
        NaiveSpatial.Geometry g = NaiveSpatial.autoPad(mode, 5, 4, 2, 2, 1, 1);
        Tensor y = forward(pool, x)[0];
        assertEquals(x.shape(), y.shape(), mode + " keeps the spatial size at stride 1");
        assertClose(
            NaiveSpatial.pool(x.data(), 3, g, false, includePad == 1),
            y.data(),
            1e-6,
            1e-6,
            "AveragePool " + mode + ", count_include_pad " + includePad);
        checkGradient(pool, x, 35, 1e-2, 1e-2);
      }
    }
  }

  @Test
  void oneAndThreeSpatialAxes() {
    Random rng = new Random(36);
    Node pool1 =
        node(
            "AveragePool",
            Map.of("kernel_shape", longs(3), "pads", longs(2, 0), "count_include_pad", 1L),
            1,
            1);
    Tensor x1 = random(Shape.of(2, 2, 7), rng, -1, 1);
    NaiveSpatial.Geometry g1 =
        NaiveSpatial.undilated(
            ints(1, 1, 7), ints(1, 1, 3), ints(1, 1, 1), ints(0, 0, 2), ints(0, 0, 0), false);
    Tensor y1 = forward(pool1, x1)[0];
    assertEquals(Shape.of(2, 2, 7), y1.shape());
    assertClose(
        NaiveSpatial.pool(x1.data(), 4, g1, false, true), y1.data(), 1e-6, 1e-6, "AveragePool 1-D");
    checkGradient(pool1, x1, 37, 1e-2, 1e-2);

    Node pool3 =
        node(
            "AveragePool",
            Map.of(
                "kernel_shape",
                longs(2, 3, 2),
                "strides",
                longs(2, 1, 2),
                "pads",
                longs(1, 1, 0, 0, 1, 1)),
            1,
            1);
    Tensor x3 = random(Shape.of(1, 2, 4, 4, 5), rng, -1, 1);
    NaiveSpatial.Geometry g3 =
        NaiveSpatial.undilated(
            ints(4, 4, 5), ints(2, 3, 2), ints(2, 1, 2), ints(1, 1, 0), ints(0, 1, 1), false);
    Tensor y3 = forward(pool3, x3)[0];
    assertEquals(Shape.of(1, 2, g3.out()[0], g3.out()[1], g3.out()[2]), y3.shape());
    assertClose(
        NaiveSpatial.pool(x3.data(), 2, g3, false, false),
        y3.data(),
        1e-6,
        1e-6,
        "AveragePool 3-D");
    checkGradient(pool3, x3, 38, 1e-2, 1e-2);
  }

  private static Node averagePool(MaxPoolTest.Case k, long includePad) {
    Map<String, Object> attrs = new HashMap<>(k.attrs());
    attrs.put("count_include_pad", includePad);
    return node("AveragePool", attrs, 1, 1);
  }
}
