package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;

/**
 * Launchers of {@code cuda/param.cu}: the spectral parameterization's 1/f weighting, the GPU twin
 * of {@link org.featviz.param.FftParam}'s. The inverse DFT after it runs as GEMMs with {@link
 * org.featviz.param.InverseRealDft2d}'s matrices ({@link DeviceImageParam}); the last, per-pixel
 * stage of every parameterization runs fused into the transform kernels ({@link
 * TransformKernels.Stage}).
 *
 * <p>Shapes: spectra [B, C, 2, H, Wf] with Wf = W / 2 + 1, half = H * Wf, weight [H, Wf] = {@code
 * FftParam.weight()}.
 */
public final class ParamKernels {
  private ParamKernels() {}

  /**
   * y[r, k] = x[r, k] * weight[k] for count rows of half values (count = B * C * 2 spectrum halves,
   * half = H * Wf); x and y may be the same buffer.
   */
  public static void spectrumWeight(
      Device device, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer y, int count, int half) {
    Launches.requireNonNegative(count, "count");
    Launches.requireNonNegative(half, "half");
    long n = (long) count * half;
    Launches.requireFloats(x, n, "spectrum");
    Launches.requireFloats(y, n, "weighted spectrum");
    Launches.requireFloats(weight, half, "weight");
    launch(
        device,
        "param_spectrum_weight",
        n,
        new KernelArgs().ptr(x).ptr(weight).ptr(y).i32(count).i32(half));
  }

  private static void launch(Device device, String kernel, long n, KernelArgs args) {
    if (n == 0) return;
    int threads = Launches.threads(n);
    device.launch(kernel, Dim3.of(Launches.blocks(n, threads)), Dim3.of(threads), 0, args);
  }
}
