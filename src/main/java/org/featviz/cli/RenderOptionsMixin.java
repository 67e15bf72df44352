package org.featviz.cli;

import java.util.ArrayList;
import java.util.List;
import org.featviz.ir.ModelException;
import org.featviz.objective.ImageRegularizer;
import org.featviz.objective.ImageRegularizers;
import org.featviz.param.TransformConfig;
import org.featviz.render.RenderOptions;
import picocli.CommandLine.Option;

/** The optimization options that render and sweep share. */
final class RenderOptionsMixin {
  @Option(names = "--steps", defaultValue = "256", description = "optimization steps (default ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--lr", defaultValue = "0.05", description = "Adam learning rate (default ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--seed", defaultValue = "0", description = "random seed; runs are reproducible (default 0)")
  long seed;

  @Option(names = "--param", defaultValue = "fft", description = "image parameterization: fft (default) or pixel")
  String param;

  @Option(names = "--transforms", defaultValue = "lucid",
      description = "lucid (pad 12, jitter 8, scale, rotate, jitter 4; default), small (for 28x28 models: pad 2,"
          + " jitter 2, scale, rotate 5, jitter 1) or none")
  String transforms;

  @Option(names = "--tv", defaultValue = "0", description = "total-variation penalty weight (default 0)")
  double tv;

  @Option(names = "--l1", defaultValue = "0", description = "L1 penalty weight around grey (default 0)")
  double l1;

  @Option(names = "--blur", defaultValue = "0", description = "blur penalty weight (default 0)")
  double blur;

  @Option(names = "--input-shape", converter = ShapeOption.Converter.class, paramLabel = "SHAPE",
      description = "one input image's size where the model's is dynamic: C,H,W, e.g. 3,224,224 (N,C,H,W with N = 1"
          + " also works)")
  ShapeOption inputShape;

  @Option(names = "--device", defaultValue = "auto",
      description = "where to optimize: auto (default: the GPU where usable, else the CPU with a note), cpu, gpu,"
          + " emulated (the GPU render loop on the host emulator: slow, for checking)")
  String device;

  @Option(names = "--mean", split = ",", paramLabel = "M",
      description = "input normalization mean per channel (or one for all), applied to pixels in [0, 1];"
          + " default from the model's metadata, else 0")
  float[] mean;

  @Option(names = "--std", split = ",", paramLabel = "S",
      description = "input normalization standard deviation per channel (or one); default from the model's"
          + " metadata, else 1")
  float[] std;

  @picocli.CommandLine.Mixin MathOption math;

  @Option(names = "--upscale", defaultValue = "0",
      description = "PNG upscale factor (default: enough to make small images at least 112 pixels wide)")
  int upscale;

  /** Opens the model with this command's input shape, input normalization, device and math mode. */
  org.featviz.Model open(java.nio.file.Path file, java.io.PrintWriter notes) {
    org.featviz.device.MathMode mode = math.mode(org.featviz.device.MathMode.DEVICE_DEFAULT);  // a bad --math fails before anything is opened
    org.featviz.Model m = org.featviz.Model.open(file, ShapeOption.dims(inputShape));
    if (mean != null || std != null) {
      org.featviz.model.InputNormalization base = m.normalization();
      m = m.withNormalization(new org.featviz.model.InputNormalization(mean != null ? mean : base.mean(),
          std != null ? std : base.std()));
    }
    return m.useDevice(device, mode, notes);
  }

  RenderOptions options() {
    if (!param.equals("fft") && !param.equals("pixel")) {
      throw new ModelException("--param " + param + ": expected fft or pixel");
    }
    if (steps <= 0) throw new ModelException("--steps must be positive");
    if (!(lr > 0)) throw new ModelException("--lr must be positive");
    List<ImageRegularizer> regs = new ArrayList<>();
    if (tv > 0) regs.add(ImageRegularizers.totalVariation(tv));
    if (l1 > 0) regs.add(ImageRegularizers.l1(l1));
    if (blur > 0) regs.add(ImageRegularizers.blur(blur));
    return new RenderOptions(steps, lr, seed, param, 1.0, TransformConfig.named(transforms), regs);
  }

  int upscaleFor(int width) {
    if (upscale < 0) throw new ModelException("--upscale must not be negative");
    return upscale > 0 ? upscale : Math.max(1, (112 + width - 1) / width);
  }
}
