package org.featviz.render.gpu;

import static org.featviz.Literals.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.optim.Adam;
import org.junit.jupiter.api.Test;

/**
 * adam_ascend and adam_deactivate_nonfinite of cuda/adam.cu against org.featviz.optim.Adam (one CPU
 * instance per sample) on fresh random gradients over several steps, so that the bias corrections
 * of steps 1, 2, 3, ... are all exercised; inactive samples are left bit-for-bit alone. Shapes: B
 * samples of P parameters, [B, P].
 */
public abstract class AdamKernelCases extends DeviceCases {
  private static final double LR = 0.05;

  /** Gradients of magnitudes from 1e-3 to 10, of either sign. */
  private static float[] gradients(Random rng, int n) {
    float[] g = new float[n];
    for (int i = 0; i < n; i++)
      g[i] = (float) ((rng.nextDouble() * 2 - 1) * Math.pow(10, rng.nextDouble() * 4 - 3));
    return g;
  }

  /**
   * Runs `steps` steps on the device and on CPU Adam instances; sample b is active in the steps up
   * to activeUntil[b]. Compares params after every step (tolerance 1e-6 of |p| + lr: an update is
   * at most about lr), and the moments m and v with Adam's own formulas replayed here (Adam keeps
   * them private), to 1e-6 relative.
   */
  private void compareWithCpu(
      int batch,
      int size,
      int steps,
      int[] activeUntil,
      double lr,
      double beta1,
      double beta2,
      double eps,
      long seed) {
    Random rng = new Random(seed);
    float[] params = KernelChecks.uniform(rng, batch * size, -1f, 1f);
    float[][] cpu = new float[batch][];
    float[] cpuM = new float[batch * size];
    float[] cpuV = new float[batch * size];
    Adam[] adam = new Adam[batch];
    for (int b = 0; b < batch; b++) {
      cpu[b] = KernelChecks.slice(params, b * size, size);
      adam[b] = new Adam(size, lr, beta1, beta2, eps);
    }
    try (DeviceBuffer p = device.toDevice(params);
        DeviceBuffer g = device.allocateFloats(batch * size);
        DeviceBuffer m = device.allocateFloats(batch * size);
        DeviceBuffer v = device.allocateFloats(batch * size);
        DeviceBuffer active = device.allocateInts(batch)) {
      device.memsetZero(m);
      device.memsetZero(v);
      for (int step = 1; step <= steps; step++) {
        float[] grad = gradients(rng, batch * size);
        int[] flags = new int[batch];
        for (int b = 0; b < batch; b++) flags[b] = step <= activeUntil[b] ? 1 : 0;
        device.copyToDevice(grad, g);
        device.copyToDevice(flags, active);
        float[] before = device.copyToHostFloats(p, batch * size);
        float[] mBefore = device.copyToHostFloats(m, batch * size);
        AdamKernel.ascend(device, p, g, m, v, active, batch, size, step, lr, beta1, beta2, eps);
        float[] after = device.copyToHostFloats(p, batch * size);
        float[] mAfter = device.copyToHostFloats(m, batch * size);
        float[] vAfter = device.copyToHostFloats(v, batch * size);
        for (int b = 0; b < batch; b++) {
          String what = "step " + step + ", sample " + b + " of B=" + batch + ", P=" + size;
          if (flags[b] == 0) {
            assertArrayEquals(
                KernelChecks.slice(before, b * size, size),
                KernelChecks.slice(after, b * size, size),
                what + ": an inactive sample's params changed");
            assertArrayEquals(
                KernelChecks.slice(mBefore, b * size, size),
                KernelChecks.slice(mAfter, b * size, size),
                what + ": an inactive sample's m changed");
            continue;
          }
          adam[b].ascend(cpu[b], KernelChecks.slice(grad, b * size, size));
          for (int i = b * size;
              i < (b + 1) * size;
              i++) { // org.featviz.optim.Adam's moment updates
            cpuM[i] = (float) (beta1 * cpuM[i] + (1 - beta1) * grad[i]);
            cpuV[i] = (float) (beta2 * cpuV[i] + (1 - beta2) * grad[i] * (double) grad[i]);
          }
          KernelChecks.assertClose(
              KernelChecks.slice(cpuM, b * size, size),
              KernelChecks.slice(mAfter, b * size, size),
              1e-6,
              what + ": m");
          KernelChecks.assertClose(
              KernelChecks.slice(cpuV, b * size, size),
              KernelChecks.slice(vAfter, b * size, size),
              1e-6,
              what + ": v");
          float[] got = KernelChecks.slice(after, b * size, size);
          for (int i = 0; i < size; i++) {
            double tol = 1e-6 * (Math.abs(cpu[b][i]) + lr);
            if (!(Math.abs(got[i] - cpu[b][i]) <= tol)) {
              throw new AssertionError(
                  what + ", element " + i + ": got " + got[i] + ", CPU Adam " + cpu[b][i]);
            }
          }
        }
      }
    }
  }

  @Test
  void ascentMatchesCpuAdamOverSeveralSteps() {
    compareWithCpu(
        3, 37, 5, ints(5, 5, 5), LR, AdamKernel.BETA1, AdamKernel.BETA2, AdamKernel.EPS, 101);
  }

  @Test
  void sizesBelowAtAndAboveTheBlock() {
    for (int size : ints(1, 31, 32, 256, 300)) {
      compareWithCpu(
          2, size, 2, ints(2, 2), LR, AdamKernel.BETA1, AdamKernel.BETA2, AdamKernel.EPS, size);
    }
  }

  @Test
  void otherBetasAndEpsilon() {
    compareWithCpu(2, 45, 4, ints(4, 4), 0.3, 0.8, 0.99, 1e-3, 102);
  }

  @Test
  void inactiveSamplesAreNotUpdated() {
    // Sample 1 is dead from the start, sample 2 stops after step 2 (as the renderer stops NaN
    // samples).
    compareWithCpu(
        4, 29, 4, ints(4, 0, 2, 4), LR, AdamKernel.BETA1, AdamKernel.BETA2, AdamKernel.EPS, 103);
  }

  @Test
  void nonFiniteParametersDeactivateTheirSample() {
    int batch = 4;
    int size = 40;
    float[] params = KernelChecks.uniform(new Random(104), batch * size, -1f, 1f);
    params[0 * size + 39] = Float.NaN;
    params[2 * size + 7] = Float.POSITIVE_INFINITY;
    params[2 * size + 8] = Float.NEGATIVE_INFINITY;
    try (DeviceBuffer p = device.toDevice(params);
        DeviceBuffer active = device.toDevice(ints(1, 1, 1, 0))) {
      AdamKernel.deactivateNonFinite(device, p, active, batch, size);
      assertArrayEquals(ints(0, 1, 0, 0), device.copyToHostInts(active, batch));
    }
  }

  @Test
  void badArgumentsAreRejectedBeforeLaunch() {
    try (DeviceBuffer p = device.allocateFloats(10);
        DeviceBuffer small = device.allocateFloats(5);
        DeviceBuffer active = device.allocateInts(2)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> AdamKernel.ascend(device, p, p, p, p, active, 2, 5, 0, LR));
      assertThrows(
          IllegalArgumentException.class,
          () -> AdamKernel.ascend(device, p, small, p, p, active, 2, 5, 1, LR));
      assertThrows(
          IllegalArgumentException.class,
          () -> AdamKernel.ascend(device, p, p, p, p, active, 3, 5, 1, LR));
      assertThrows(
          IllegalArgumentException.class,
          () -> AdamKernel.ascend(device, p, p, p, p, active, 2, 5, 1, -1));
    }
  }
}
