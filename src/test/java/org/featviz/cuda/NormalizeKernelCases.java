package org.featviz.cuda;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;

import java.util.Map;
import java.util.Random;
import org.featviz.cpu.OpTesting;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.plan.CustomKernels;
import org.featviz.plan.CustomKernels.LayerNormStatistic;
import org.junit.jupiter.api.Test;

/**
 * cuda/normalize.cu (LayerNormalization) against the CPU reference (LayerNormalizationRef) on fresh
 * random inputs: rows shorter than a warp, between warps, longer than the block; more rows than the
 * grid has blocks; values far from zero (the two-pass variance); with and without B; the statistics
 * outputs and the gradients through them; gradients overwriting and accumulating. Relative error,
 * NaN never passes. Run on the emulator (EmuTest$NormalizeKernel) and a GPU
 * (GpuTest$NormalizeKernel). Shape legend: x [R, N].
 */
public abstract class NormalizeKernelCases extends DeviceCases {
  private final Random rng = new Random(17);

  /** Runs the three kernels on x [rows, cols] and compares each with the CPU reference. */
  private void check(int rows, int cols, float lo, float hi, boolean withBias, float eps) {
    String what = "R=" + rows + " N=" + cols + (withBias ? " with B" : "") + " eps " + eps;
    Tensor x = random(Shape.of(rows, cols), rng, lo, hi);
    Tensor scale = random(Shape.of(cols), rng, 0.5f, 1.5f);
    Tensor bias = random(Shape.of(cols), rng, -1f, 1f);
    Tensor gy = random(Shape.of(rows, cols), rng, -1f, 1f);
    Node ln = node("LayerNormalization", Map.of("epsilon", eps), withBias ? 3 : 2, 3);
    Tensor[] in = withBias ? new Tensor[] {x, scale, bias} : new Tensor[] {x, scale};
    Tensor[] expected = OpTesting.forward(ln, in);
    Node yOnly = node("LayerNormalization", Map.of("epsilon", eps), withBias ? 3 : 2, 1);
    float[] dx = CpuOracle.backward(yOnly, in, gy, true)[0].data();
    int n = rows * cols;
    float[] prior = random(Shape.of(rows, cols), rng, -1f, 1f).data();
    try (DeviceBuffer xb = device.toDevice(x.data());
        DeviceBuffer sb = device.toDevice(scale.data());
        DeviceBuffer bb = device.toDevice(bias.data());
        DeviceBuffer y = device.allocateFloats(n);
        DeviceBuffer mean = device.allocateFloats(rows);
        DeviceBuffer inv = device.allocateFloats(rows);
        DeviceBuffer dy = device.toDevice(gy.data());
        DeviceBuffer g = device.toDevice(prior)) {
      CustomKernels.layerNormForward(device, xb, sb, withBias ? bb : null, y, rows, cols, eps);
      assertClose(expected[0].data(), device.copyToHostFloats(y, n), 1e-5, 1e-6, what + ": Y");
      CustomKernels.layerNormStatistic(device, LayerNormStatistic.MEAN, xb, mean, rows, cols, eps);
      CustomKernels.layerNormStatistic(
          device, LayerNormStatistic.INV_STD_DEV, xb, inv, rows, cols, eps);
      assertClose(
          expected[1].data(), device.copyToHostFloats(mean, rows), 1e-6, 1e-7, what + ": Mean");
      assertClose(
          expected[2].data(), device.copyToHostFloats(inv, rows), 1e-5, 0, what + ": InvStdDev");
      CustomKernels.layerNormBackward(device, xb, sb, dy, g, rows, cols, eps, true);
      assertClose(
          CpuOracle.plus(prior, dx),
          device.copyToHostFloats(g, n),
          1e-5,
          1e-6,
          what + ": dx accumulated");
      CustomKernels.layerNormBackward(device, xb, sb, dy, g, rows, cols, eps, false);
      assertClose(dx, device.copyToHostFloats(g, n), 1e-5, 1e-6, what + ": dx");
      // The gradients through Mean and InvStdDev, each accumulated onto dx.
      LayerNormStatistic[] stats = {LayerNormStatistic.MEAN, LayerNormStatistic.INV_STD_DEV};
      for (int k = 1; k <= 2; k++) {
        Tensor gs = random(Shape.of(rows, 1), rng, -1f, 1f);
        Tensor[] gradOut = new Tensor[3];
        gradOut[k] = gs;
        Tensor[] gradIn = {Tensor.zeros(x.shape()), null, null};
        OpTesting.backward(ln, in, expected, gradOut, gradIn);
        try (DeviceBuffer db2 = device.toDevice(gs.data())) {
          CustomKernels.layerNormStatisticBackward(
              device, stats[k - 1], xb, db2, g, rows, cols, eps, true);
        }
        assertClose(
            CpuOracle.plus(dx, gradIn[0].data()),
            device.copyToHostFloats(g, n),
            1e-5,
            1e-6,
            what + ": dx through " + stats[k - 1]);
        CustomKernels.layerNormBackward(device, xb, sb, dy, g, rows, cols, eps, false);
      }
    }
  }

  @Test
  void rowsOfEveryLengthAgainstTheBlockMatchTheCpuReference() {
    int[][] cases = {{3, 1}, {4, 7}, {2, 32}, {5, 45}, {3, 256}, {2, 300}, {2, 768}, {1, 2049}};
    for (int[] c : cases) {
      check(c[0], c[1], -2f, 2f, true, 1e-5f);
      check(c[0], c[1], -2f, 2f, false, 1e-2f);
    }
  }

  /**
   * Blocks stride over the rows beyond the grid (the launcher caps the grid at 4096 blocks): 7 rows
   * on a grid of 2 blocks, launched directly.
   */
  @Test
  void moreRowsThanBlocksAreStridedOver() {
    int rows = 7;
    int cols = 40;
    float eps = 1e-5f;
    Tensor x = random(Shape.of(rows, cols), rng, -2f, 2f);
    Tensor scale = random(Shape.of(cols), rng, 0.5f, 1.5f);
    Tensor bias = random(Shape.of(cols), rng, -1f, 1f);
    Tensor gy = random(Shape.of(rows, cols), rng, -1f, 1f);
    Node ln = node("LayerNormalization", Map.of("epsilon", eps), 3, 1);
    Tensor[] in = {x, scale, bias};
    int n = rows * cols;
    try (DeviceBuffer xb = device.toDevice(x.data());
        DeviceBuffer sb = device.toDevice(scale.data());
        DeviceBuffer bb = device.toDevice(bias.data());
        DeviceBuffer y = device.allocateFloats(n);
        DeviceBuffer dy = device.toDevice(gy.data());
        DeviceBuffer dx = device.allocateFloats(n)) {
      device.launch(
          "layer_norm_forward",
          Dim3.of(2),
          Dim3.of(32),
          0,
          new KernelArgs().ptr(xb).ptr(sb).ptr(bb).ptr(y).i32(rows).i32(cols).f32(eps).i32(1));
      assertClose(CpuOracle.forward(ln, in).data(), device.copyToHostFloats(y, n), 1e-5, 1e-6, "Y");
      device.launch(
          "layer_norm_backward",
          Dim3.of(2),
          Dim3.of(32),
          0,
          new KernelArgs().ptr(xb).ptr(sb).ptr(dy).ptr(dx).i32(rows).i32(cols).f32(eps).i32(0));
      assertClose(
          CpuOracle.backward(ln, in, gy, true)[0].data(),
          device.copyToHostFloats(dx, n),
          1e-5,
          1e-6,
          "dx");
    }
  }

  @Test
  void valuesFarFromZeroKeepTheirVariance() {
    // Mean 1000, deviation about 0.3: a one-pass E[x^2] - E[x]^2 in float would lose it all.
    check(4, 193, 1000f, 1001f, true, 1e-6f);
  }
}
