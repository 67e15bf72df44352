package org.featviz.render.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping kernels of cuda/render.cu against plain Java loops (the CPU renderer's): per-sample flags with
 * and without the ReLU condition, NaN counting as nonzero, sizes below, at and above a block; moving the seeds of
 * masked samples. Bitwise comparisons: the kernels only compare and add.
 */
abstract class RenderKernelCases extends DeviceCases {
  private final Random rng = new Random(77);

  /** Mostly zeros, a few nonzero values (and, if asked, a NaN) in random places. */
  private float[] sparse(int batch, int per, boolean nan) {
    float[] x = new float[batch * per];
    for (int b = 0; b < batch; b++) {
      int nonzero = rng.nextInt(3);  // 0, 1 or 2 nonzero values: some samples stay all zero
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
      try (DeviceBuffer dx = device.toDevice(x); DeviceBuffer da = device.toDevice(a);
           DeviceBuffer df = device.toDevice(new int[batch])) {
        RenderKernels.anyNonzero(device, dx, df, batch, per);
        assertArrayEquals(flags(x, null, batch, per), device.copyToHostInts(df, batch), "any nonzero " + batch
            + "x" + per);
        RenderKernels.anyNonzeroWherePositive(device, dx, da, df, batch, per);
        assertArrayEquals(flags(x, a, batch, per), device.copyToHostInts(df, batch), "nonzero where positive "
            + batch + "x" + per);
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
    try (DeviceBuffer s = device.toDevice(src); DeviceBuffer d = device.toDevice(dst);
         DeviceBuffer m = device.toDevice(mask)) {
      RenderKernels.moveSamples(device, s, d, m, batch, per);
      KernelChecks.assertExact(expectedSrc, device.copyToHostFloats(s, src.length), "source");
      KernelChecks.assertExact(expectedDst, device.copyToHostFloats(d, dst.length), "destination");
      assertThrows(IllegalArgumentException.class, () -> RenderKernels.moveSamples(device, s, s, m, batch, per));
      assertThrows(IllegalArgumentException.class, () -> RenderKernels.moveSamples(device, s, d, m, batch, per + 1));
    }
  }
}
