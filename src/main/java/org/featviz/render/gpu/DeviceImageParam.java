package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.MathMode;
import org.featviz.device.OwnedBuffers;
import org.featviz.param.FftParam;
import org.featviz.param.ImageParam;
import org.featviz.param.InverseRealDft2d;
import org.featviz.param.PixelParam;
import org.featviz.plan.CustomKernels;

/**
 * A batch's image parameterization on a {@link Device} up to its last, per-pixel stage: params [B,
 * P] -> pre [B, C, H, W], and the chain rule back from pre. The last stage itself ({@link
 * #stage()}: sigmoid, or color decorrelation then sigmoid) runs inside the transform kernels
 * ({@link TransformKernels}), fused with the augmentation and the input normalization, so the image
 * takes no extra trip through memory. The device twin of {@link PixelParam} (pre = params) and
 * {@link FftParam} (spectrum weighting, then the inverse real DFT as GEMMs with {@link
 * InverseRealDft2d}'s matrices, uploaded once). Its GEMMs run in FP32 whatever math mode the device
 * uses for the network: the image is not the network, and a 16-bit or TF32 DFT would blur what is
 * rendered. Owns its scratch buffers; close it after the render.
 *
 * <p>The inverse DFT of the whole batch in a fixed number of launches, BC = B * C spectra of [2H,
 * Wf] each (the weighted spectrum X, stored [BC, 2H, Wf]):
 *
 * <pre>
 *   transpose X -> [2H, BC * Wf]; one GEMM Y = Mh [2H, 2H] . X            (stage 1 of InverseRealDft2d)
 *   transpose Y [2, H, BC, Wf] -> [2, BC, H, Wf], i.e. Yr [BC * H, Wf] then Yi [BC * H, Wf]
 *   t [BC * H, W] = Yr . Cw + Yi . Sw                                       (stage 2: two GEMMs, Mw = [[Cw], [Sw]])
 * </pre>
 *
 * The adjoint runs the transposes of these in reverse order, as {@link InverseRealDft2d#adjoint}
 * does.
 */
abstract class DeviceImageParam implements AutoCloseable {
  protected final Device device;
  protected final int batch;
  final OwnedBuffers owned;

  private DeviceImageParam(Device device, int batch) {
    this.device = device;
    this.owned = new OwnedBuffers(device);
    this.batch = batch;
  }

  /**
   * The device twin of {@code param} (a PixelParam or an FftParam) for a batch of {@code batch}
   * images.
   */
  static DeviceImageParam of(Device device, ImageParam param, int batch) {
    if (param instanceof FftParam fft) return new Fft(device, fft, batch);
    if (param instanceof PixelParam pixel) return new Pixel(device, pixel, batch);
    throw new IllegalArgumentException(
        "no device version of the parameterization " + param.describe());
  }

  /** The last stage, which the transform kernels apply to {@link #preActivation}'s output. */
  abstract TransformKernels.Stage stage();

  /** pre [B, C, H, W] for params [B, P]: the image before the last stage. May be params itself. */
  abstract DeviceBuffer preActivation(DeviceBuffer params);

  /**
   * The buffer [B, C, H, W] the fused backward should write d loss / d pre into, given the
   * parameter gradient's buffer gradParams [B, P]; may be gradParams itself. Valid after {@link
   * #preActivation} (it may reuse scratch).
   */
  abstract DeviceBuffer preGradient(DeviceBuffer gradParams);

  /**
   * gradParams [B, P] (overwritten) = (d pre / d params)^T applied to {@link #preGradient}'s
   * contents.
   */
  abstract void backwardFromPre(DeviceBuffer gradParams);

  @Override
  public void close() {
    owned.close();
  }

  /**
   * image = sigmoid(params), one parameter per pixel: pre is params, and its gradient is the
   * parameters'.
   */
  private static final class Pixel extends DeviceImageParam {
    Pixel(Device device, PixelParam param, int batch) {
      super(device, batch);
    }

    @Override
    TransformKernels.Stage stage() {
      return TransformKernels.Stage.SIGMOID;
    }

    @Override
    DeviceBuffer preActivation(DeviceBuffer params) {
      return params;
    }

    @Override
    DeviceBuffer preGradient(DeviceBuffer gradParams) {
      return gradParams;
    }

    @Override
    void backwardFromPre(DeviceBuffer gradParams) {
      // pre = params: the fused backward wrote the parameter gradient itself.
    }
  }

  /** Lucid's spectral parameterization (see the class comment for the GEMM layout). */
  private static final class Fft extends DeviceImageParam {
    private final int channels;
    private final int height;
    private final int width;
    private final int halfWidth;
    private final int spectra; // BC
    private final boolean decorrelate;
    private final DeviceBuffer columnMatrix; // Mh [2H, 2H]
    private final DeviceBuffer rowMatrix; // Mw [2Wf, W]
    private final DeviceBuffer weight; // w [H, Wf]
    private final DeviceBuffer first; // [B, P] scratch
    private final DeviceBuffer second; // [B, P] scratch
    private final DeviceBuffer spatial; // t and its gradient [B, C, H, W]

    Fft(Device device, FftParam param, int batch) {
      super(device, batch);
      InverseRealDft2d dft = param.dft();
      this.channels = param.imageShape().dim(0);
      this.height = dft.height();
      this.width = dft.width();
      this.halfWidth = dft.halfWidth();
      this.spectra = Math.multiplyExact(batch, channels);
      this.decorrelate = param.decorrelated();
      long size = (long) batch * param.size();
      try {
        columnMatrix = owned.upload(dft.columnMatrix());
        rowMatrix = owned.upload(dft.rowMatrix());
        weight = owned.upload(param.weight());
        first = owned.floats(size);
        second = owned.floats(size);
        spatial = owned.floats((long) spectra * height * width);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    @Override
    TransformKernels.Stage stage() {
      return decorrelate
          ? TransformKernels.Stage.DECORRELATED_SIGMOID
          : TransformKernels.Stage.SIGMOID;
    }

    @Override
    DeviceBuffer preActivation(DeviceBuffer params) {
      try (Device.MathModeScope fp32 = device.withMathMode(MathMode.FP32)) {
        inverseDft(params);
      }
      return spatial;
    }

    /**
     * spatial = the inverse DFT of the weighted spectra params (in the device's current math mode).
     */
    private void inverseDft(DeviceBuffer params) {
      int h2 = 2 * height;
      int wf = halfWidth;
      int rows = spectra * height; // BC * H
      ParamKernels.spectrumWeight(device, params, weight, first, 2 * spectra, height * wf);
      // [BC, 2H, Wf] -> [2H, BC, Wf]
      CustomKernels.transpose(
          device, first, second, new int[] {h2, spectra, wf}, new int[] {wf, h2 * wf, 1}, false);
      device
          .library()
          .gemm(
              new GemmDescriptor(false, false, h2, spectra * wf, h2),
              columnMatrix,
              second,
              first,
              1f,
              0f);
      // Y [2, H, BC, Wf] -> [2, BC, H, Wf]
      CustomKernels.transpose(
          device,
          first,
          second,
          new int[] {2, spectra, height, wf},
          new int[] {height * spectra * wf, wf, spectra * wf, 1},
          false);
      GemmDescriptor stage2 = new GemmDescriptor(false, false, rows, width, wf);
      device.library().gemm(stage2, second, 0, rowMatrix, 0, spatial, 0, 1f, 0f);
      device
          .library()
          .gemm(stage2, second, (long) rows * wf, rowMatrix, (long) wf * width, spatial, 0, 1f, 1f);
    }

    @Override
    DeviceBuffer preGradient(DeviceBuffer gradParams) {
      return spatial; // the fused backward reads the image, not pre, so pre's buffer can take its
      // gradient
    }

    @Override
    void backwardFromPre(DeviceBuffer gradParams) {
      try (Device.MathModeScope fp32 = device.withMathMode(MathMode.FP32)) {
        adjointDft(gradParams);
      }
    }

    /**
     * gradParams = the adjoint of {@link #inverseDft} applied to spatial (in the device's current
     * math mode).
     */
    private void adjointDft(DeviceBuffer gradParams) {
      int h2 = 2 * height;
      int wf = halfWidth;
      int rows = spectra * height;
      // gYr = g . Cw^T, gYi = g . Sw^T, as [2, BC, H, Wf]
      GemmDescriptor rowAdjoint = new GemmDescriptor(false, true, rows, wf, width);
      device.library().gemm(rowAdjoint, spatial, 0, rowMatrix, 0, first, 0, 1f, 0f);
      device
          .library()
          .gemm(
              rowAdjoint,
              spatial,
              0,
              rowMatrix,
              (long) wf * width,
              first,
              (long) rows * wf,
              1f,
              0f);
      // [2, BC, H, Wf] -> [2, H, BC, Wf] = [2H, BC * Wf]
      CustomKernels.transpose(
          device,
          first,
          second,
          new int[] {2, height, spectra, wf},
          new int[] {spectra * height * wf, wf, height * wf, 1},
          false);
      device
          .library()
          .gemm(
              new GemmDescriptor(true, false, h2, spectra * wf, h2),
              columnMatrix,
              second,
              first,
              1f,
              0f);
      // [2H, BC, Wf] -> [BC, 2H, Wf]
      CustomKernels.transpose(
          device,
          first,
          second,
          new int[] {spectra, h2, wf},
          new int[] {wf, spectra * wf, 1},
          false);
      ParamKernels.spectrumWeight(device, second, weight, gradParams, 2 * spectra, height * wf);
    }
  }
}
