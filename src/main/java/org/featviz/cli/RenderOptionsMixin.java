package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.featviz.Model;
import org.featviz.device.MathMode;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.model.InputNormalization;
import org.featviz.objective.ImageRegularizer;
import org.featviz.objective.ImageRegularizers;
import org.featviz.param.TransformConfig;
import org.featviz.render.RenderOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The optimization options that render and sweep share. */
final class RenderOptionsMixin {
  /**
   * The largest PNG side --upscale may ask for (a larger one takes gigabytes to draw and is no
   * easier to see).
   */
  static final int MAX_PNG_SIDE = 2048;

  @Option(
      names = "--steps",
      defaultValue = "256",
      description = "optimization steps (default ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--lr",
      defaultValue = "0.05",
      description = "Adam learning rate (default ${DEFAULT-VALUE})")
  double lr;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "random seed; runs are reproducible (default 0)")
  long seed;

  @Option(
      names = "--param",
      defaultValue = "fft",
      description = "image parameterization: fft (default) or pixel")
  String param;

  @Option(
      names = "--transforms",
      paramLabel = "FAMILY",
      description =
          "lucid (pad 12, jitter 8, scale, rotate, jitter 4), small (pad 2, jitter 2, scale, rotate 5,"
              + " jitter 1) or none; default: small for images under "
              + TransformConfig.SMALL_BELOW
              + " pixels, else lucid (the choice is printed)")
  String transforms;

  @Option(
      names = "--tv",
      defaultValue = "0",
      description = "total-variation penalty weight, >= 0 (default 0)")
  double tv;

  @Option(
      names = "--l1",
      defaultValue = "0",
      description = "L1 penalty weight around grey, >= 0 (default 0)")
  double l1;

  @Option(
      names = "--blur",
      defaultValue = "0",
      description = "blur penalty weight, >= 0 (default 0)")
  double blur;

  @Mixin InputShapeOption inputShape;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description =
          "where to optimize: auto (default: the GPU where usable, else the CPU with a note), cpu, gpu,"
              + " emulated (the GPU render loop on the host emulator: slow, for checking)")
  String device;

  @Option(
      names = "--normalize",
      paramLabel = "NAME",
      description =
          "a named input normalization instead of --mean/--std: imagenet (torchvision's mean 0.485,"
              + " 0.456, 0.406 and std 0.229, 0.224, 0.225) or none; default from the model's metadata")
  String normalize;

  @Option(
      names = "--mean",
      split = ",",
      paramLabel = "M",
      description =
          "input normalization mean per channel (or one for all), applied to pixels in [0, 1];"
              + " default from the model's metadata, else 0")
  float[] mean;

  @Option(
      names = "--std",
      split = ",",
      paramLabel = "S",
      description =
          "input normalization standard deviation per channel (or one); default from the model's"
              + " metadata, else 1")
  float[] std;

  @Mixin MathOption math;

  @Option(
      names = "--upscale",
      paramLabel = "N",
      description =
          "PNG upscale factor, 1 or more (default: enough to make small images at least 112 pixels wide;"
              + " at most "
              + MAX_PNG_SIDE
              + " pixels a side)")
  Integer upscale;

  /**
   * Checks every option that needs no model, so that a bad value fails before the model is opened.
   */
  void validate() {
    math.mode(MathMode.DEVICE_DEFAULT);
    if (!param.equals("fft") && !param.equals("pixel")) {
      throw new ModelException("--param " + param + ": expected fft or pixel");
    }
    if (steps <= 0)
      throw new ModelException("--steps " + steps + ": must be a positive whole number");
    if (!(lr > 0) || !Double.isFinite(lr))
      throw new ModelException("--lr " + lr + ": must be a finite number > 0");
    weight("--tv", tv);
    weight("--l1", l1);
    weight("--blur", blur);
    if (transforms != null && !List.of("lucid", "small", "none").contains(transforms)) {
      throw new ModelException("--transforms " + transforms + ": expected lucid, small or none");
    }
    if (upscale != null && upscale < 1) {
      throw new ModelException(
          "--upscale " + upscale + ": must be a whole number from 1 (no magnification) up");
    }
    if (normalize != null) {
      if (InputNormalization.named(normalize) == null) {
        throw new ModelException(
            "--normalize " + normalize + ": expected " + InputNormalization.NAMES);
      }
      if (mean != null || std != null) {
        throw new ModelException(
            "--normalize " + normalize + " and --mean/--std: give one or the other");
      }
    }
    if (mean != null) finite("--mean", mean);
    if (std != null) {
      for (float s : std) {
        if (!(s > 0) || !Float.isFinite(s))
          throw new ModelException("--std " + s + ": must be a finite number > 0");
      }
    }
  }

  /** A regularizer weight: finite and >= 0 (0 turns it off). */
  static void weight(String flag, double w) {
    if (!(w >= 0) || !Double.isFinite(w)) {
      throw new ModelException(flag + " " + w + ": must be a finite number >= 0 (0 turns it off)");
    }
  }

  private static void finite(String flag, float[] values) {
    for (float v : values)
      if (!Float.isFinite(v)) throw new ModelException(flag + " " + v + ": must be finite");
  }

  /** The normalization mean asked for: --mean, or that of --normalize, or null (the model's). */
  private float[] mean() {
    return normalize == null ? mean : InputNormalization.named(normalize).mean();
  }

  /** The normalization standard deviation asked for, as {@link #mean()}. */
  private float[] std() {
    return normalize == null ? std : InputNormalization.named(normalize).std();
  }

  /** Opens the model with this command's input shape, input normalization, device and math mode. */
  Model open(Path file) {
    validate();
    return Model.builder(file)
        .optInputShape(inputShape.dims())
        .optMean(mean())
        .optStd(std())
        .optBackend(DeviceOption.parse(device))
        .optMath(math.mode(MathMode.DEVICE_DEFAULT))
        .open();
  }

  /**
   * One model per device of {@code devices} (null: the one model of {@link #open}), opened alike
   * but for the device, the first first: a sweep's workers. Where one fails to open, those opened
   * are closed.
   */
  List<Model> openOn(Path file, org.featviz.backend.DeviceSet devices) {
    if (devices == null) return List.of(open(file));
    validate();
    List<Model> models = new ArrayList<>();
    try {
      for (int ordinal : devices.ordinals()) {
        models.add(
            Model.builder(file)
                .optInputShape(inputShape.dims())
                .optMean(mean())
                .optStd(std())
                .optBackend(devices.backend())
                .optGpu(devices.backend() == org.featviz.backend.Backend.GPU ? ordinal : 0)
                .optMath(math.mode(MathMode.DEVICE_DEFAULT))
                .open());
      }
    } catch (RuntimeException | Error e) {
      for (Model m : models) m.close();
      throw e;
    }
    return models;
  }

  /**
   * The render options for images of {@code imageShape} [C, H, W]; without --transforms the family
   * is chosen by the image size and named on {@code notes}.
   */
  RenderOptions options(Shape imageShape, PrintWriter notes) {
    validate();
    List<ImageRegularizer> regs = new ArrayList<>();
    if (tv > 0) regs.add(ImageRegularizers.totalVariation(tv));
    if (l1 > 0) regs.add(ImageRegularizers.l1(l1));
    if (blur > 0) regs.add(ImageRegularizers.blur(blur));
    String family = transforms;
    if (family == null) {
      family = TransformConfig.defaultFamily(imageShape.dim(1), imageShape.dim(2));
      notes.printf(
          "transforms: %s (%s), the default for %dx%d images; --transforms chooses%n",
          family, TransformConfig.named(family).describe(), imageShape.dim(1), imageShape.dim(2));
      notes.flush();
    }
    return new RenderOptions(steps, lr, seed, param, 1.0, TransformConfig.named(family), regs);
  }

  /**
   * The PNG upscale for images of {@code imageShape} [C, H, W]: --upscale checked against the size
   * limit.
   */
  int upscaleFor(Shape imageShape) {
    int side = Math.max(imageShape.dim(1), imageShape.dim(2));
    if (upscale == null) return Math.max(1, (112 + imageShape.dim(2) - 1) / imageShape.dim(2));
    if (upscale < 1 || (long) upscale * side > MAX_PNG_SIDE) {
      throw new ModelException(
          "--upscale "
              + upscale
              + ": the PNGs would be "
              + (long) upscale * side
              + " pixels a side; for "
              + imageShape.dim(1)
              + "x"
              + imageShape.dim(2)
              + " images choose 1 to "
              + Math.max(1, MAX_PNG_SIDE / side));
    }
    return upscale;
  }
}
