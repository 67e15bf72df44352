package org.featviz.render.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping kernels of cuda/render.cu against plain Java loops (the CPU renderer's):
 * per-sample flags with and without the ReLU condition, NaN counting as nonzero, sizes below, at
 * and above a block; moving the seeds of masked samples; the same flags and moves over one range
 * per sample (a target's unit). Bitwise comparisons: the kernels only compare and add.
 */
public abstract class RenderKernelCases extends DeviceCases {
  private final Random rng = new Random(77);

  /** Mostly zeros, a few nonzero values (and, if asked, a NaN) in random places. */
  private float[] sparse(int batch, int per, boolean nan) {
    float[] x = new float[batch * per];
    for (int b = 0; b < batch; b++) {
      int nonzero = rng.nextInt(3); // 0, 1 or 2 nonzero values: some samples stay all zero
      for (int k = 0; k < nonzero; k++) x[b * per + rng.nextInt(per)] = rng.nextFloat() - 0.5f;
    }
    if (nan) x[rng.nextInt(x.length)] = Float.NaN;
    return x;
  }

  private int[] flags(float[] x, float[] a, int batch, int per) {
    int[] out = new int[batch];
    for (int b = 0; b < batch; b++) {
      for (int i = b * per; i < (b + 1) * per; i++) {
        if (x[i] != 0f && (a == null || a[i] > 0f)) out[b] = 1;
      }
    }
    return out;
  }

  @Test
  void sampleFlagsMatchTheHostLoops() {
    int[][] sizes = {{1, 1}, {3, 31}, {5, 32}, {4, 257}, {7, 1000}};
    for (int[] size : sizes) {
      int batch = size[0];
      int per = size[1];
      float[] x = sparse(batch, per, per > 100);
      float[] a = new float[x.length];
      for (int i = 0; i < a.length; i++) a[i] = rng.nextBoolean() ? rng.nextFloat() : 0f;
      try (DeviceBuffer dx = device.toDevice(x);
          DeviceBuffer da = device.toDevice(a);
          DeviceBuffer df = device.toDevice(new int[batch])) {
        RenderKernels.anyNonzero(device, dx, df, batch, per);
        assertArrayEquals(
            flags(x, null, batch, per),
            device.copyToHostInts(df, batch),
            "any nonzero " + batch + "x" + per);
        RenderKernels.anyNonzeroWherePositive(device, dx, da, df, batch, per);
        assertArrayEquals(
            flags(x, a, batch, per),
            device.copyToHostInts(df, batch),
            "nonzero where positive " + batch + "x" + per);
      }
    }
  }

  @Test
  void movingSamplesAddsThemToTheDestinationAndClearsTheSource() {
    int batch = 5;
    int per = 300;
    float[] src = KernelChecks.uniform(rng, batch * per, -1, 1);
    float[] dst = KernelChecks.uniform(rng, batch * per, -1, 1);
    int[] mask = {1, 0, 0, 1, 1};
    float[] expectedSrc = src.clone();
    float[] expectedDst = dst.clone();
    for (int b = 0; b < batch; b++) {
      if (mask[b] == 0) continue;
      for (int i = b * per; i < (b + 1) * per; i++) {
        expectedDst[i] += src[i];
        expectedSrc[i] = 0f;
      }
    }
    try (DeviceBuffer s = device.toDevice(src);
        DeviceBuffer d = device.toDevice(dst);
        DeviceBuffer m = device.toDevice(mask)) {
      RenderKernels.moveSamples(device, s, d, m, batch, per);
      KernelChecks.assertExact(expectedSrc, device.copyToHostFloats(s, src.length), "source");
      KernelChecks.assertExact(expectedDst, device.copyToHostFloats(d, dst.length), "destination");
      assertThrows(
          IllegalArgumentException.class,
          () -> RenderKernels.moveSamples(device, s, s, m, batch, per));
      assertThrows(
          IllegalArgumentException.class,
          () -> RenderKernels.moveSamples(device, s, d, m, batch, per + 1));
    }
  }

  /**
   * Random ranges within [0, per), some of them empty, one of them the whole sample where batch >
   * 2.
   */
  private int[][] ranges(int batch, int per) {
    int[] begin = new int[batch];
    int[] count = new int[batch];
    for (int b = 0; b < batch; b++) {
      begin[b] = rng.nextInt(per);
      count[b] = b % 4 == 1 ? 0 : rng.nextInt(per - begin[b] + 1);
    }
    if (batch > 2) {
      begin[2] = 0;
      count[2] = per;
    }
    return new int[][] {begin, count};
  }

  /** The host loop of Renderer.unitBlockedByRelu's test, over one range per sample, as flags. */
  private static int[] rangeFlags(float[] x, float[] a, int[] begin, int[] count, int per) {
    int[] out = new int[begin.length];
    for (int b = 0; b < begin.length; b++) {
      for (int i = b * per + begin[b]; i < b * per + begin[b] + count[b]; i++) {
        if (x[i] != 0f && (a == null || a[i] > 0f)) out[b] = 1;
      }
    }
    return out;
  }

  @Test
  void rangeFlagsMatchTheHostLoopOnFreshInputs() {
    int[][] sizes = {{1, 1}, {3, 31}, {5, 64}, {4, 257}, {9, 700}};
    for (int[] size : sizes) {
      int batch = size[0];
      int per = size[1];
      int[][] r = ranges(batch, per);
      // Dense random seeds (iam seeds its whole layer) beside sparse ones; activations zero about
      // half the time.
      for (boolean dense : new boolean[] {true, false}) {
        float[] x =
            dense ? KernelChecks.uniform(rng, batch * per, -1, 1) : sparse(batch, per, per > 100);
        float[] a = new float[x.length];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextBoolean() ? rng.nextFloat() : 0f;
        // One range whose activations are all zero: a silent unit (flag 0 although its seed is
        // dense).
        if (batch > 3) {
          for (int i = 3 * per + r[0][3]; i < 3 * per + r[0][3] + r[1][3]; i++) a[i] = 0f;
        }
        String what = batch + "x" + per + (dense ? " dense" : " sparse");
        try (DeviceBuffer dx = device.toDevice(x);
            DeviceBuffer da = device.toDevice(a);
            DeviceBuffer df = device.toDevice(new int[batch]);
            RenderKernels.Ranges ranges = RenderKernels.Ranges.of(device, r[0], r[1], per)) {
          RenderKernels.rangeAny(device, dx, da, ranges, df, true);
          assertArrayEquals(
              rangeFlags(x, a, r[0], r[1], per),
              device.copyToHostInts(df, batch),
              "range nonzero where positive, " + what);
          RenderKernels.rangeAny(device, dx, dx, ranges, df, false);
          assertArrayEquals(
              rangeFlags(x, null, r[0], r[1], per),
              device.copyToHostInts(df, batch),
              "range nonzero, " + what);
        }
      }
    }
  }

  @Test
  void movingRangesMovesOnlyTheRangesOfSamplesNotKept() {
    for (int[] size : new int[][] {{1, 1}, {6, 300}, {5, 1000}}) {
      int batch = size[0];
      int per = size[1];
      int[][] r = ranges(batch, per);
      int[] keep = new int[batch];
      for (int b = 0; b < batch; b++) keep[b] = b % 3 == 0 && batch > 1 ? 1 : 0;
      float[] src = KernelChecks.uniform(rng, batch * per, -1, 1);
      float[] dst = KernelChecks.uniform(rng, batch * per, -1, 1);
      float[] expectedSrc = src.clone();
      float[] expectedDst = dst.clone();
      for (int b = 0; b < batch; b++) {
        if (keep[b] != 0) continue;
        for (int i = b * per + r[0][b]; i < b * per + r[0][b] + r[1][b]; i++) {
          expectedDst[i] += src[i];
          expectedSrc[i] = 0f;
        }
      }
      String what = batch + "x" + per;
      try (DeviceBuffer s = device.toDevice(src);
          DeviceBuffer d = device.toDevice(dst);
          DeviceBuffer k = device.toDevice(keep);
          RenderKernels.Ranges ranges = RenderKernels.Ranges.of(device, r[0], r[1], per)) {
        RenderKernels.moveRanges(device, s, d, ranges, k);
        KernelChecks.assertExact(
            expectedSrc, device.copyToHostFloats(s, src.length), "source " + what);
        KernelChecks.assertExact(
            expectedDst, device.copyToHostFloats(d, dst.length), "destination " + what);
        assertThrows(
            IllegalArgumentException.class,
            () -> RenderKernels.moveRanges(device, s, s, ranges, k));
      }
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> RenderKernels.Ranges.of(device, new int[] {0, 5}, new int[] {3, 4}, 8),
        "a range past the sample");
    assertThrows(
        IllegalArgumentException.class,
        () -> RenderKernels.Ranges.of(device, new int[] {0}, new int[] {3, 4}, 8),
        "lengths differ");
  }
}
