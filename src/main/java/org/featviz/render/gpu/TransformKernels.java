package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.featviz.param.ColorDecorrelation;
import org.featviz.param.TransformConfig;
import org.featviz.param.TransformSample;

/**
 * Launchers of {@code cuda/transform.cu}: the image side of a render step fused into one kernel
 * each way: the parameterization's last per-pixel stage ({@link Stage}), the augmentation (one
 * affine bilinear resampling per image, with the pad ring and the zero region beyond it) and the
 * input normalization. The GPU twins of the parameterizations' last stage ({@link
 * org.featviz.param.PixelParam}, {@link ColorDecorrelation} and sigmoid in {@link
 * org.featviz.param.FftParam}), {@link org.featviz.param.Transforms} and {@link
 * org.featviz.model.InputNormalization}.
 *
 * <p>Shapes ({@link Dims}): image and gradImage [B, C, H, W]; out and gradOut [B, C, Ho, Wo];
 * samples float[B, 4] from {@link #pack}; mean and std float[N] with N = 1 (every channel) or N =
 * C.
 *
 * <pre>
 * device.copyToDevice(TransformKernels.pack(drawn), samples);
 * TransformKernels.forward(device, dims, config, image, samples, mean, std, norm.mean().length, netInput);
 * ... network backward to gradInput ...
 * TransformKernels.backward(device, dims, gradInput, samples, std, norm.std().length, gradImage, false);
 * </pre>
 */
public final class TransformKernels {
  /** Floats per sample in the packed layout: scale, angle in degrees, tx, ty. */
  public static final int SAMPLE_FLOATS = 4;

  /** B images [C, H, W] resampled onto canvases [C, Ho, Wo]. */
  public record Dims(int batch, int channels, int height, int width, int outHeight, int outWidth) {
    public Dims {
      Launches.requireBatch(batch);
      if (channels < 1 || height < 1 || width < 1 || outHeight < 1 || outWidth < 1) {
        throw new IllegalArgumentException(
            "transform sizes must be positive: C "
                + channels
                + ", "
                + height
                + "x"
                + width
                + " -> "
                + outHeight
                + "x"
                + outWidth);
      }
    }

    public long imageSize() {
      return (long) batch * channels * height * width;
    }

    public long outputSize() {
      return (long) batch * channels * outHeight * outWidth;
    }
  }

  private TransformKernels() {}

  /**
   * Each sample's (scale, angle in degrees, tx, ty) as floats, sample after sample: the kernels'
   * samples[B, 4].
   */
  public static float[] pack(TransformSample... samples) {
    float[] out = new float[samples.length * SAMPLE_FLOATS];
    for (int b = 0; b < samples.length; b++) {
      TransformSample s = samples[b];
      out[b * SAMPLE_FLOATS] = (float) s.scale();
      out[b * SAMPLE_FLOATS + 1] = (float) s.angleDegrees();
      out[b * SAMPLE_FLOATS + 2] = (float) s.tx();
      out[b * SAMPLE_FLOATS + 3] = (float) s.ty();
    }
    return out;
  }

  /** The image parameterization's last, per-pixel stage, applied inside the transform kernels. */
  public enum Stage {
    /** image = pre (a parameterization without a last stage, or an image given as such). */
    NONE,
    /**
     * image = sigmoid(pre): the pixel parameterization, or the spectral one without color
     * decorrelation.
     */
    SIGMOID,
    /**
     * image = sigmoid(M pre) per pixel, M = {@link ColorDecorrelation#MATRIX}: the spectral one on
     * 3 channels.
     */
    DECORRELATED_SIGMOID
  }

  /**
   * out = (resample(image, sample[b]) - mean[c]) / std[c], with config's pad ring and pad value
   * (the rest of the config is already in the drawn samples); image is given as such.
   */
  public static void forward(
      Device device,
      Dims d,
      TransformConfig config,
      DeviceBuffer image,
      DeviceBuffer samples,
      DeviceBuffer mean,
      DeviceBuffer std,
      int normChannels,
      DeviceBuffer out) {
    forward(device, d, config, Stage.NONE, image, null, samples, mean, std, normChannels, out);
  }

  /**
   * The fused forward: image = stage(pre), written to {@code image} unless it is null, and out =
   * (resample(image, sample[b]) - mean[c]) / std[c]; the image is computed where the resampling
   * reads it, not read back from memory.
   */
  public static void forward(
      Device device,
      Dims d,
      TransformConfig config,
      Stage stage,
      DeviceBuffer pre,
      DeviceBuffer image,
      DeviceBuffer samples,
      DeviceBuffer mean,
      DeviceBuffer std,
      int normChannels,
      DeviceBuffer out) {
    Launches.requireFloats(
        pre, d.imageSize(), stage == Stage.NONE ? "image" : "pre-activation image");
    if (image != null) Launches.requireFloats(image, d.imageSize(), "image");
    Launches.requireFloats(out, d.outputSize(), "output");
    checkCommon(d, samples, std, normChannels);
    checkStage(d, stage);
    Launches.requireFloats(mean, normChannels, "mean");
    if (d.batch() == 0) return;
    int plane = Math.max(d.outHeight() * d.outWidth(), image == null ? 0 : d.height() * d.width());
    KernelArgs args =
        new KernelArgs()
            .ptr(pre)
            .ptr(image == null ? pre : image)
            .ptr(samples)
            .ptr(mean)
            .ptr(std)
            .ptr(out);
    launch(
        device,
        "transform_forward",
        d,
        plane,
        sizes(args, d)
            .i32(config.pad())
            .f32(config.padValue())
            .i32(normChannels)
            .i32(Launches.flag(image != null))
            .i32(stage.ordinal()));
  }

  /**
   * gradImage = (adjoint of the resampling)(gradOut / std[c]), overwriting gradImage, or adding to
   * it with {@code accumulate}. Pad and zero fill get no gradient, so the pad does not enter.
   */
  public static void backward(
      Device device,
      Dims d,
      DeviceBuffer gradOut,
      DeviceBuffer samples,
      DeviceBuffer std,
      int normChannels,
      DeviceBuffer gradImage,
      boolean accumulate) {
    backward(
        device,
        d,
        Stage.NONE,
        gradOut,
        samples,
        std,
        normChannels,
        null,
        accumulate ? gradImage : null,
        gradImage);
  }

  /**
   * The fused backward: gradPre = d stage / d pre applied to (adjoint of the resampling)(gradOut /
   * std[c]) plus gradImage (when not null: gradients taken at the image, such as regularizers').
   * image is the forward's image (not read for {@link Stage#NONE}; may then be null). gradPre may
   * be gradImage.
   */
  public static void backward(
      Device device,
      Dims d,
      Stage stage,
      DeviceBuffer gradOut,
      DeviceBuffer samples,
      DeviceBuffer std,
      int normChannels,
      DeviceBuffer image,
      DeviceBuffer gradImage,
      DeviceBuffer gradPre) {
    Launches.requireFloats(gradOut, d.outputSize(), "output gradient");
    Launches.requireFloats(
        gradPre, d.imageSize(), stage == Stage.NONE ? "image gradient" : "pre-activation gradient");
    if (gradImage != null) Launches.requireFloats(gradImage, d.imageSize(), "image gradient");
    if (stage != Stage.NONE) {
      if (image == null)
        throw new IllegalArgumentException("the " + stage + " stage's backward needs the image");
      Launches.requireFloats(image, d.imageSize(), "image");
    }
    checkCommon(d, samples, std, normChannels);
    checkStage(d, stage);
    if (d.batch() == 0) return;
    int plane = d.height() * d.width();
    KernelArgs args =
        new KernelArgs()
            .ptr(gradOut)
            .ptr(samples)
            .ptr(std)
            .ptr(image == null ? gradPre : image)
            .ptr(gradImage == null ? gradPre : gradImage)
            .ptr(gradPre);
    launch(
        device,
        "transform_backward",
        d,
        plane,
        sizes(args, d)
            .i32(normChannels)
            .i32(Launches.flag(gradImage != null))
            .i32(stage.ordinal()));
  }

  /** The image and output sizes, as both kernels take them after their buffers. */
  private static KernelArgs sizes(KernelArgs args, Dims d) {
    return args.i32(d.batch())
        .i32(d.channels())
        .i32(d.height())
        .i32(d.width())
        .i32(d.outHeight())
        .i32(d.outWidth());
  }

  /** One thread per pixel of a plane, (planes, batch) blocks; the colour matrix goes last. */
  private static void launch(Device device, String kernel, Dims d, int plane, KernelArgs args) {
    int threads = Launches.threads(plane);
    device.launch(
        kernel,
        Dim3.of((plane + threads - 1) / threads, d.batch()),
        Dim3.of(threads),
        0,
        matrix(args));
  }

  private static void checkStage(Dims d, Stage stage) {
    if (stage == Stage.DECORRELATED_SIGMOID && d.channels() != 3) {
      throw new IllegalArgumentException(
          "color decorrelation needs 3 channels, the image has " + d.channels());
    }
  }

  /**
   * Appends the color matrix's nine entries, row after row (the kernels ignore them unless
   * decorrelating).
   */
  private static KernelArgs matrix(KernelArgs args) {
    for (float[] row : ColorDecorrelation.MATRIX) {
      for (float m : row) args.f32(m);
    }
    return args;
  }

  private static void checkCommon(
      Dims d, DeviceBuffer samples, DeviceBuffer std, int normChannels) {
    if (normChannels != 1 && normChannels != d.channels()) {
      throw new IllegalArgumentException(
          "input normalization has "
              + normChannels
              + " values but the input has "
              + d.channels()
              + " channels");
    }
    Launches.requireFloats(samples, (long) d.batch() * SAMPLE_FLOATS, "samples");
    Launches.requireFloats(std, normChannels, "std");
  }
}
