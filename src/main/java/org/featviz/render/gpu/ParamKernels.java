package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.featviz.param.ColorDecorrelation;

/**
 * Launchers of {@code cuda/param.cu}: the image parameterizations' element-wise stages, forward and backward. The
 * GPU twins of {@link org.featviz.param.PixelParam} (sigmoid), the last stage of {@link org.featviz.param.FftParam}
 * ({@link ColorDecorrelation} then sigmoid) and FftParam's spectrum weighting. The inverse DFT between weighting
 * and color is two GEMMs per channel with {@link org.featviz.param.InverseRealDft2d}'s matrices (Device.gemm).
 *
 * <p>Shapes: images [B, C, H, W], plane = H * W; decorrelated images have C = 3; spectra [B, C, 2, H, Wf] with
 * Wf = W / 2 + 1, half = H * Wf, weight [H, Wf] = {@code FftParam.weight()}.
 */
public final class ParamKernels {
  private ParamKernels() {}

  /** image = sigmoid(params) over n elements. */
  public static void sigmoidForward(Device device, DeviceBuffer params, DeviceBuffer image, int n) {
    Launches.requireNonNegative(n, "n");
    Launches.requireFloats(params, n, "params");
    Launches.requireFloats(image, n, "image");
    launch(device, "param_sigmoid_forward", n, new KernelArgs().ptr(params).ptr(image).i32(n));
  }

  /** gradParams = gradImage * image * (1 - image), image the forward's output (overwrites gradParams). */
  public static void sigmoidBackward(Device device, DeviceBuffer image, DeviceBuffer gradImage,
      DeviceBuffer gradParams, int n) {
    Launches.requireNonNegative(n, "n");
    Launches.requireFloats(image, n, "image");
    Launches.requireFloats(gradImage, n, "image gradient");
    Launches.requireFloats(gradParams, n, "parameter gradient");
    launch(device, "param_sigmoid_backward", n, new KernelArgs().ptr(image).ptr(gradImage).ptr(gradParams).i32(n));
  }

  /** image [B, 3, H, W] = sigmoid(M t) at every pixel, M = {@link ColorDecorrelation#MATRIX}. */
  public static void decorrelateSigmoidForward(Device device, DeviceBuffer t, DeviceBuffer image, int batch,
      int plane) {
    long pixels = checkColor(batch, plane);
    Launches.requireFloats(t, 3 * pixels, "decorrelated image");
    Launches.requireFloats(image, 3 * pixels, "image");
    launch(device, "param_decorrelate_sigmoid_forward", pixels,
        matrix(new KernelArgs().ptr(t).ptr(image).i32(batch).i32(plane)));
  }

  /** gradT [B, 3, H, W] = M^T (gradImage * image * (1 - image)) at every pixel (overwrites gradT). */
  public static void decorrelateSigmoidBackward(Device device, DeviceBuffer image, DeviceBuffer gradImage,
      DeviceBuffer gradT, int batch, int plane) {
    long pixels = checkColor(batch, plane);
    Launches.requireFloats(image, 3 * pixels, "image");
    Launches.requireFloats(gradImage, 3 * pixels, "image gradient");
    Launches.requireFloats(gradT, 3 * pixels, "decorrelated image gradient");
    launch(device, "param_decorrelate_sigmoid_backward", pixels,
        matrix(new KernelArgs().ptr(image).ptr(gradImage).ptr(gradT).i32(batch).i32(plane)));
  }

  /**
   * y[r, k] = x[r, k] * weight[k] for count rows of half values (count = B * C * 2 spectrum halves, half = H * Wf);
   * x and y may be the same buffer.
   */
  public static void spectrumWeight(Device device, DeviceBuffer x, DeviceBuffer weight, DeviceBuffer y, int count,
      int half) {
    Launches.requireNonNegative(count, "count");
    Launches.requireNonNegative(half, "half");
    long n = (long) count * half;
    Launches.requireFloats(x, n, "spectrum");
    Launches.requireFloats(y, n, "weighted spectrum");
    Launches.requireFloats(weight, half, "weight");
    launch(device, "param_spectrum_weight", n, new KernelArgs().ptr(x).ptr(weight).ptr(y).i32(count).i32(half));
  }

  private static long checkColor(int batch, int plane) {
    Launches.requireNonNegative(batch, "batch");
    Launches.requireNonNegative(plane, "plane");
    long pixels = (long) batch * plane;
    if (3 * pixels > Integer.MAX_VALUE) throw new IllegalArgumentException("too many pixels: " + pixels);
    return pixels;
  }

  /** Appends M's nine entries, row after row. */
  private static KernelArgs matrix(KernelArgs args) {
    for (float[] row : ColorDecorrelation.MATRIX) {
      for (float m : row) args.f32(m);
    }
    return args;
  }

  private static void launch(Device device, String kernel, long n, KernelArgs args) {
    if (n == 0) return;
    int threads = Launches.threads(n);
    device.launch(kernel, Dim3.of(Launches.blocks(n, threads)), Dim3.of(threads), 0, args);
  }
}
