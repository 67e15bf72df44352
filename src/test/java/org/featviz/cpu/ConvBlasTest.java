package org.featviz.cpu;

import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.Ops;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenBLAS convolution against the Java reference on fresh random shapes: odd sizes, groups,
 * strides, dilations, asymmetric pads, 1-D to 3-D, batch 1 and many; forward, input gradient (both
 * the stride-1 convolution form and the scatter form), and the weight and bias gradients it leaves
 * to the reference. ConvTest and ConvReferenceTest check both against naive loops.
 */
class ConvBlasTest {
  @BeforeEach
  void needsOpenBlas() {
    // On CI (Linux x86-64) OpenBLAS must load: a silent fallback would leave the fast path
    // untested.
    if ("true".equals(System.getenv("CI"))) assertTrue(Blas.available(), Blas.unavailableReason());
    assumeTrue(Blas.available(), Blas.unavailableReason());
  }

  @Test
  void randomConfigurationsMatchTheReference() {
    randomTrials(60, false);
  }

  /**
   * Stride 1 with at least {@link ShiftedConvolution#MIN_CHANNELS} input channels per group: the
   * forward and the input gradient run as per-tap products on a padded copy.
   */
  @Test
  void randomShiftedConfigurationsMatchTheReference() {
    randomTrials(30, true);
  }

  private static void randomTrials(int trials, boolean shifted) {
    Random rng = new Random(System.nanoTime());
    long seed = rng.nextLong();
    rng = new Random(seed);
    for (int trial = 0; trial < trials; trial++) {
      int rank = 1 + rng.nextInt(3);
      int groups = 1 + rng.nextInt(3);
      int cg =
          shifted
              ? ShiftedConvolution.MIN_CHANNELS + rng.nextInt(20)
              : 1 + rng.nextInt(trial % 3 == 0 ? 24 : 6);
      int mg = 1 + rng.nextInt(9);
      int n = rng.nextInt(4) == 0 ? 1 : 1 + rng.nextInt(5);
      long[] in = new long[rank];
      long[] kernel = new long[rank];
      long[] strides = new long[rank];
      long[] dilations = new long[rank];
      long[] pads = new long[2 * rank];
      for (int a = 0; a < rank; a++) {
        in[a] = (rank == 3 ? 3 : 5) + rng.nextInt(rank == 1 ? 30 : 9);
        kernel[a] = 1 + rng.nextInt(3);
        strides[a] = !shifted && rng.nextInt(3) == 0 ? 2 : 1;
        dilations[a] = rng.nextInt(4) == 0 ? 2 : 1;
        long extent = (kernel[a] - 1) * dilations[a] + 1;
        pads[a] = rng.nextInt((int) extent + 1);
        pads[rank + a] = rng.nextInt((int) extent + 1);
        long padded = in[a] + pads[a] + pads[rank + a];
        if (padded < extent) in[a] += extent - padded;
      }
      Map<String, Object> attrs = new LinkedHashMap<>();
      attrs.put("kernel_shape", kernel);
      attrs.put("strides", strides);
      attrs.put("dilations", dilations);
      attrs.put("pads", pads);
      attrs.put("group", (long) groups);
      boolean bias = rng.nextBoolean();
      String what =
          String.format(
              "seed %d trial %d: N %d C %d M %d groups %d in %s %s, bias %b",
              seed,
              trial,
              n,
              cg * groups,
              mg * groups,
              groups,
              java.util.Arrays.toString(in),
              attrs,
              bias);
      check(rng, attrs, n, cg * groups, mg * groups, in, kernel, bias, what);
    }
  }

  @Test
  void fashionCnnLayersMatchTheReference() {
    Random rng = new Random(5);
    int[][] shapes = {{8, 1, 64, 28}, {8, 64, 64, 28}, {1, 64, 128, 14}, {3, 128, 128, 14}};
    for (int[] s : shapes) {
      Map<String, Object> attrs = Map.of("kernel_shape", longs(3, 3), "pads", longs(1, 1, 1, 1));
      check(
          rng,
          attrs,
          s[0],
          s[1],
          s[2],
          longs(s[3], s[3]),
          longs(3, 3),
          true,
          java.util.Arrays.toString(s));
    }
  }

  @Test
  void resnet50Shapes() {
    Random rng = new Random(5);
    // {n, c, m, in, k, stride, pad}
    int[][] shapes = {
      {1, 3, 64, 64, 7, 2, 3}, {1, 64, 64, 16, 1, 1, 0}, {1, 64, 64, 16, 3, 1, 1},
      {1, 64, 256, 16, 1, 1, 0}, {1, 256, 64, 16, 1, 1, 0}, {1, 256, 128, 16, 1, 1, 0},
      {1, 128, 128, 16, 3, 2, 1}, {1, 128, 512, 8, 1, 1, 0}, {1, 256, 512, 16, 1, 2, 0},
      {1, 512, 128, 8, 1, 1, 0}, {1, 512, 256, 8, 1, 1, 0}, {1, 256, 256, 8, 3, 2, 1},
      {1, 256, 1024, 4, 1, 1, 0}, {1, 512, 1024, 8, 1, 2, 0}, {1, 1024, 256, 4, 1, 1, 0},
      {1, 1024, 512, 4, 1, 1, 0}, {1, 512, 512, 4, 3, 2, 1}, {1, 512, 2048, 2, 1, 1, 0},
      {1, 1024, 2048, 4, 1, 2, 0}, {1, 2048, 512, 2, 1, 1, 0}, {1, 512, 512, 2, 3, 1, 1},
    };
    for (int[] s : shapes) {
      Map<String, Object> attrs =
          Map.of(
              "kernel_shape", longs(s[4], s[4]),
              "strides", longs(s[5], s[5]),
              "pads", longs(s[6], s[6], s[6], s[6]));
      check(
          rng,
          attrs,
          s[0],
          s[1],
          s[2],
          longs(s[3], s[3]),
          longs(s[4], s[4]),
          false,
          java.util.Arrays.toString(s));
    }
  }

  @Test
  void theFastSetUsesItUnlessTheReferenceIsChosen() {
    Node conv = node("Conv", Map.of(), 2, 1);
    try {
      assertInstanceOf(ConvBlas.class, CpuKernels.forNode(conv, 13));
      CpuKernels.useReference(true);
      assertInstanceOf(ConvRef.class, CpuKernels.forNode(conv, 13));
    } finally {
      CpuKernels.useReference(false);
    }
  }

  private static void check(
      Random rng,
      Map<String, Object> attrs,
      int n,
      int c,
      int m,
      long[] in,
      long[] kernel,
      boolean bias,
      String what) {
    int groups = attrs.containsKey("group") ? (int) (long) (Long) attrs.get("group") : 1;
    long[] xDims = new long[2 + in.length];
    long[] wDims = new long[2 + in.length];
    xDims[0] = n;
    xDims[1] = c;
    wDims[0] = m;
    wDims[1] = c / groups;
    for (int a = 0; a < in.length; a++) {
      xDims[2 + a] = in[a];
      wDims[2 + a] = kernel[a];
    }
    Node conv = node("Conv", attrs, bias ? 3 : 2, 1);
    Tensor x = random(Shape.of(xDims), rng, -1, 1);
    Tensor w = random(Shape.of(wDims), rng, -1, 1);
    Tensor[] inputs =
        bias ? new Tensor[] {x, w, random(Shape.of(m), rng, -1, 1)} : new Tensor[] {x, w};
    compare(rng, conv, inputs, what);
  }

  /**
   * The fast path keeps rearranged weights from call to call (NativeWeights): weights changed in
   * place between calls, as by a caller that edits a model's arrays, are used as they now are, in
   * the per-tap, patch-matrix and scatter forms alike.
   */
  @Test
  void weightsChangedInPlaceAreUsedAsTheyNowAre() {
    Random rng = new Random(23);
    Object[][] configs = {
      {Map.of("kernel_shape", longs(3, 3), "pads", longs(1, 1, 1, 1)), 32, "per tap"},
      {Map.of("kernel_shape", longs(3, 3), "pads", longs(1, 1, 1, 1)), 3, "patch matrix"},
      {Map.of("kernel_shape", longs(3, 3), "strides", longs(2, 2)), 20, "stride 2, scatter"},
    };
    for (Object[] cfg : configs) {
      @SuppressWarnings("unchecked")
      Map<String, Object> attrs = (Map<String, Object>) cfg[0];
      int c = (int) cfg[1];
      Node conv = node("Conv", attrs, 2, 1);
      Tensor x = random(Shape.of(2, c, 9, 9), rng, -1, 1);
      Tensor w = random(Shape.of(24, c, 3, 3), rng, -1, 1);
      Tensor[] inputs = {x, w};
      compare(rng, conv, inputs, cfg[2] + ", first weights");
      float[] v = w.data();
      for (int i = 0; i < v.length; i++) v[i] = i % 7 == 0 ? -3 * v[i] : v[i] + 0.25f;
      compare(rng, conv, inputs, cfg[2] + ", the same array changed");
    }
  }

  /** ConvBlas against ConvRef on {@code inputs}: forward and every gradient. */
  private static void compare(Random rng, Node conv, Tensor[] inputs, String what) {
    Tensor x = inputs[0];
    KernelCall shapes = new KernelCall(conv, 13, inputs, null, null, null);
    Shape yShape = Ops.spec(conv, 13).outputShapes(shapes.context()).get(0);
    Tensor expected = Tensor.zeros(yShape);
    Tensor actual = Tensor.zeros(yShape);
    new ConvRef().forward(new KernelCall(conv, 13, inputs, new Tensor[] {expected}, null, null));
    new ConvBlas().forward(new KernelCall(conv, 13, inputs, new Tensor[] {actual}, null, null));
    assertRelativelyClose(expected.data(), actual.data(), what + ": forward");

    Tensor dy = random(yShape, rng, -1, 1);
    Tensor[] refGrads = zerosLike(inputs);
    Tensor[] blasGrads = zerosLike(inputs);
    // The BLAS input gradient adds: start both from the same non-zero values.
    float[] start = random(x.shape(), rng, -1, 1).data();
    System.arraycopy(start, 0, refGrads[0].data(), 0, start.length);
    System.arraycopy(start, 0, blasGrads[0].data(), 0, start.length);
    new ConvRef()
        .backward(
            new KernelCall(conv, 13, inputs, new Tensor[] {expected}, new Tensor[] {dy}, refGrads));
    new ConvBlas()
        .backward(
            new KernelCall(conv, 13, inputs, new Tensor[] {actual}, new Tensor[] {dy}, blasGrads));
    assertRelativelyClose(refGrads[0].data(), blasGrads[0].data(), what + ": input gradient");
    for (int i = 1; i < inputs.length; i++) {
      assertExact(refGrads[i].data(), blasGrads[i].data(), what + ": gradient of input " + i);
    }
  }

  private static Tensor[] zerosLike(Tensor[] t) {
    Tensor[] z = new Tensor[t.length];
    for (int i = 0; i < t.length; i++) z[i] = Tensor.zeros(t[i].shape());
    return z;
  }

  /**
   * ||actual - expected|| <= 1e-5 ||expected||, no NaN, and elementwise within 1e-5 of the largest.
   */
  private static void assertRelativelyClose(float[] expected, float[] actual, String what) {
    double diff = 0;
    double norm = 0;
    double largest = 0;
    for (int i = 0; i < expected.length; i++) {
      assertTrue(Float.isFinite(actual[i]), what + ": element " + i + " is " + actual[i]);
      diff += (actual[i] - (double) expected[i]) * (actual[i] - (double) expected[i]);
      norm += (double) expected[i] * expected[i];
      largest = Math.max(largest, Math.abs(expected[i]));
    }
    assertTrue(expected.length == 0 || norm > 0, what + ": all zero");
    double relative = Math.sqrt(diff / Math.max(norm, Double.MIN_NORMAL));
    assertTrue(relative <= 1e-5, what + ": relative error " + relative);
    OpTesting.assertClose(expected, actual, 1e-5, 1e-5 * largest, what);
  }
}
