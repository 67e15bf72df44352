package org.featviz.cpu;

import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.Ops;
import org.junit.jupiter.api.Test;

/**
 * The fast MaxPool against the reference, bit for bit, on fresh random 2-D windows (kernels 1 to 3,
 * strides 1 to 3, batch and channels, ceil mode) and values with many ties, NaNs and infinities;
 * padded and dilated windows, which it hands to the reference, too.
 */
class MaxPoolFastTest {
  @Test
  void randomWindowsGiveTheReferencesBits() {
    long seed = new Random().nextLong();
    Random rng = new Random(seed);
    for (int trial = 0; trial < 200; trial++) {
      int kh = 1 + rng.nextInt(3);
      int kw = 1 + rng.nextInt(3);
      Map<String, Object> attrs = new LinkedHashMap<>();
      attrs.put("kernel_shape", longs(kh, kw));
      attrs.put("strides", longs(1 + rng.nextInt(3), 1 + rng.nextInt(3)));
      if (rng.nextInt(4) == 0) attrs.put("ceil_mode", 1L);
      if (trial % 10 == 0) attrs.put("pads", longs(1, 0, 0, 1)); // the reference's
      if (trial % 10 == 5) attrs.put("dilations", longs(2, 1)); // the reference's
      Shape shape =
          Shape.of(1 + rng.nextInt(3), 1 + rng.nextInt(4), 5 + rng.nextInt(9), 5 + rng.nextInt(9));
      check(attrs, shape, rng, "seed " + seed + " trial " + trial + " " + attrs + " " + shape);
    }
  }

  @Test
  void theFastSetUsesIt() {
    Node pool = node("MaxPool", Map.of("kernel_shape", longs(2, 2)), 1, 1);
    try {
      if (CpuKernels.fast()) assertInstanceOf(MaxPoolFast.class, CpuKernels.forNode(pool, 13));
      CpuKernels.useReference(true);
      assertInstanceOf(MaxPoolRef.class, CpuKernels.forNode(pool, 13));
    } finally {
      CpuKernels.useReference(false);
    }
  }

  private static void check(Map<String, Object> attrs, Shape shape, Random rng, String what) {
    Node pool = node("MaxPool", attrs, 1, 1);
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      int r = rng.nextInt(40);
      v[i] =
          r == 0
              ? Float.NaN
              : r == 1
                  ? Float.POSITIVE_INFINITY
                  : r == 2 ? Float.NEGATIVE_INFINITY : (float) rng.nextInt(4) - 2; // ties
    }
    Tensor x = Tensor.of(shape, v);
    Tensor[] in = {x};
    Shape yShape =
        Ops.spec(pool, 13)
            .outputShapes(new KernelCall(pool, 13, in, null, null, null).context())
            .get(0);
    Tensor yRef = Tensor.zeros(yShape);
    Tensor yFast = Tensor.zeros(yShape);
    new MaxPoolRef().forward(new KernelCall(pool, 13, in, new Tensor[] {yRef}, null, null));
    new MaxPoolFast().forward(new KernelCall(pool, 13, in, new Tensor[] {yFast}, null, null));
    assertSameBits(yRef.data(), yFast.data(), what + ": forward");

    Tensor dy = OpTesting.random(yShape, rng, -1, 1);
    Tensor dxRef = OpTesting.random(shape, new Random(1), -1, 1);
    Tensor dxFast = OpTesting.random(shape, new Random(1), -1, 1);
    new MaxPoolRef()
        .backward(
            new KernelCall(
                pool, 13, in, new Tensor[] {yRef}, new Tensor[] {dy}, new Tensor[] {dxRef}));
    new MaxPoolFast()
        .backward(
            new KernelCall(
                pool, 13, in, new Tensor[] {yFast}, new Tensor[] {dy}, new Tensor[] {dxFast}));
    assertSameBits(dxRef.data(), dxFast.data(), what + ": input gradient");
  }

  /** The same floats bit for bit (NaN included: the forward passes the window's NaN on). */
  private static void assertSameBits(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          Float.floatToIntBits(expected[i]),
          Float.floatToIntBits(actual[i]),
          what + ": element " + i + " is " + actual[i] + ", not " + expected[i]);
    }
  }
}
