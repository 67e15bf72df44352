package org.featviz.bench.kernels;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Shape;
import org.featviz.model.InputNormalization;
import org.featviz.objective.LayerSlice;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;
import org.featviz.objective.SampleView;
import org.featviz.optim.Adam;
import org.featviz.param.TransformConfig;
import org.featviz.param.TransformSample;
import org.featviz.param.Transforms;
import org.featviz.render.BatchSampleView;
import org.featviz.render.gpu.AdamKernel;
import org.featviz.render.gpu.ObjectiveKernels;
import org.featviz.render.gpu.TargetLayer;
import org.featviz.render.gpu.TransformKernels;

/**
 * Benchmarks of the render step's own kernels (org.featviz.render.gpu's launchers), each checked
 * against the CPU code the CPU renderer runs: Adam ({@link Adam}), the channel and direction
 * objectives ({@link Objectives}), and the transform forward and backward ({@link Transforms}
 * followed by {@link InputNormalization}). Byte counts are the least each launch must move (every
 * input read once, every output written once); FLOP counts are stated per benchmark.
 */
final class RenderKernelBenchmarks {
  private RenderKernelBenchmarks() {}

  /** GoogLeNet inception4a's output at batch 256 (full) or a small stand-in. */
  static Shape inception4a(BenchSize size) {
    return size == BenchSize.FULL ? Shape.of(256, 512, 14, 14) : Shape.of(3, 16, 5, 5);
  }

  /** VGG16 conv5_3's output at batch 256 (full) or a small stand-in. */
  static Shape vgg16Conv53(BenchSize size) {
    return size == BenchSize.FULL ? Shape.of(256, 512, 14, 14) : Shape.of(2, 24, 4, 4);
  }

  static final InputNormalization IMAGENET =
      new InputNormalization(
          new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  static List<KernelBenchmark> all() {
    return List.of(adam(), channel(), direction(), transform(false), transform(true));
  }

  // ---- Adam
  // -------------------------------------------------------------------------------------------

  /**
   * adam_ascend over B samples of P parameters (full: 256 x the 151,872 floats of a 224x224x3 FFT
   * parameterization). Bytes: params, grad, m, v read, params, m, v written (28 per parameter).
   * FLOPs: 14 per parameter (m: 3, v: 4, bias corrections 2, sqrt, eps, divide, lr and add 2).
   * Check: two steps from m = v = 0 against one CPU Adam per sample.
   */
  static KernelBenchmark adam() {
    return new Simple("adam_ascend", "adam_ascend (adam.cu)") {
      @Override
      public KernelBenchmark.Prepared prepare(Device device, BenchSize size, Random rng) {
        int batch = size == BenchSize.FULL ? 256 : 3;
        int params = size == BenchSize.FULL ? 3 * 224 * 113 * 2 : 300;
        int n = batch * params;
        float[] p0 = Errors.uniform(rng, n, -1f, 1f);
        float[] g1 = gradients(rng, n);
        float[] g2 = gradients(rng, n);
        int[] ones = new int[batch];
        Arrays.fill(ones, 1);
        return new Owned(
            device, "B=" + batch + ", P=" + params, 28L * n + 4L * batch, 14L * n, 1e-5) {
          final DeviceBuffer p = upload(p0);
          final DeviceBuffer g = upload(g1);
          final DeviceBuffer m = floats(n);
          final DeviceBuffer v = floats(n);
          final DeviceBuffer active = upload(ones);

          @Override
          public double check() {
            device.copyToDevice(p0, p);
            device.memsetZero(m);
            device.memsetZero(v);
            device.copyToDevice(g1, g);
            AdamKernel.ascend(device, p, g, m, v, active, batch, params, 1, LR);
            device.copyToDevice(g2, g);
            AdamKernel.ascend(device, p, g, m, v, active, batch, params, 2, LR);
            float[] expected = new float[n];
            for (int b = 0; b < batch; b++) {
              float[] x = Errors.slice(p0, b * params, params);
              Adam cpu = new Adam(params, LR);
              cpu.ascend(x, Errors.slice(g1, b * params, params));
              cpu.ascend(x, Errors.slice(g2, b * params, params));
              System.arraycopy(x, 0, expected, b * params, params);
            }
            return Errors.relative(expected, read(p, n));
          }

          @Override
          public void launch() {
            AdamKernel.ascend(device, p, g, m, v, active, batch, params, 3, LR);
          }
        };
      }
    };
  }

  private static final double LR = 0.05;

  /** Gradients of magnitudes 1e-3 to 10, of either sign. */
  private static float[] gradients(Random rng, int n) {
    float[] g = new float[n];
    for (int i = 0; i < n; i++)
      g[i] = (float) ((rng.nextDouble() * 2 - 1) * Math.pow(10, rng.nextDouble() * 4 - 3));
    return g;
  }

  // ---- Objectives
  // -------------------------------------------------------------------------------------

  /**
   * objective_channel on inception4a: the spatial mean of channel unit[b]. Bytes: that channel's
   * activations read, its gradient read and written, values read and written, units read. FLOPs: 3
   * per position (sum, gradient multiply-add).
   */
  static KernelBenchmark channel() {
    return new Simple("objective_channel", "objective_channel (objective.cu)") {
      @Override
      public KernelBenchmark.Prepared prepare(Device device, BenchSize size, Random rng) {
        Shape s = inception4a(size);
        int batch = s.dim(0);
        int[] units = new int[batch];
        for (int b = 0; b < batch; b++) units[b] = rng.nextInt(s.dim(1));
        long touched = (long) batch * s.size(2, 4);
        return new ObjectiveRun(
            device,
            s,
            "GoogLeNet inception4a",
            rng,
            b -> Objectives.channel(LAYER, units[b]),
            4 * 3 * touched + 12L * batch,
            3 * touched) {
          final DeviceBuffer u = upload(units);

          @Override
          void run(TargetLayer layer, DeviceBuffer acts, DeviceBuffer grad, DeviceBuffer value) {
            ObjectiveKernels.channel(device, layer, acts, u, grad, value, 1f);
          }
        };
      }
    };
  }

  /**
   * objective_direction on VGG16 conv5_3: a . v per position, averaged. Bytes: activations read,
   * gradient read and written, directions read, values read and written. FLOPs: 4 per activation
   * (dot product multiply-add, gradient multiply-add).
   */
  static KernelBenchmark direction() {
    return new Simple("objective_direction", "objective_direction (objective.cu)") {
      @Override
      public KernelBenchmark.Prepared prepare(Device device, BenchSize size, Random rng) {
        Shape s = vgg16Conv53(size);
        int batch = s.dim(0);
        int channels = s.dim(1);
        float[] dirs = Errors.uniform(rng, batch * channels, -1f, 1f);
        long n = s.size();
        return new ObjectiveRun(
            device,
            s,
            "VGG16 conv5_3",
            rng,
            b -> Objectives.direction(LAYER, Errors.slice(dirs, b * channels, channels)),
            4 * (3 * n + (long) batch * channels + 2L * batch),
            4 * n) {
          final DeviceBuffer d = upload(dirs);

          @Override
          void run(TargetLayer layer, DeviceBuffer acts, DeviceBuffer grad, DeviceBuffer value) {
            ObjectiveKernels.direction(device, layer, acts, d, grad, value, 1f);
          }
        };
      }
    };
  }

  private static final String LAYER = "layer";

  /**
   * An objective kernel on random activations in [-1, 1], a random initial gradient and values
   * (every objective launcher adds into them), checked against the CPU objective of every sample.
   */
  private abstract static class ObjectiveRun extends Owned {
    private final Shape shape;
    private final float[] acts;
    private final float[] grad0;
    private final float[] value0;
    private final IntFunction<Objective> cpu;
    private final TargetLayer layer;
    private final DeviceBuffer a;
    private final DeviceBuffer g;
    private final DeviceBuffer v;

    ObjectiveRun(
        Device device,
        Shape shape,
        String model,
        Random rng,
        IntFunction<Objective> cpu,
        long bytes,
        long flops) {
      super(device, shape + " (" + model + ")", bytes, flops, 1e-5);
      this.shape = shape;
      this.cpu = cpu;
      this.layer = TargetLayer.of(shape);
      acts = Errors.uniform(rng, shape.size(), -1f, 1f);
      grad0 = Errors.uniform(rng, shape.size(), -1f, 1f);
      value0 = Errors.uniform(rng, shape.dim(0), -1f, 1f);
      a = upload(acts);
      g = upload(grad0);
      v = upload(value0);
    }

    abstract void run(TargetLayer layer, DeviceBuffer acts, DeviceBuffer grad, DeviceBuffer value);

    @Override
    public double check() {
      device.copyToDevice(grad0, g);
      device.copyToDevice(value0, v);
      run(layer, a, g, v);
      int batch = shape.dim(0);
      float[] expectedGrad = grad0.clone();
      float[] expectedValue = value0.clone();
      Shape sample = BatchSampleView.sampleShape(shape);
      int n = sample.size();
      for (int b = 0; b < batch; b++) {
        LayerSlice in = new LayerSlice(acts, b * n, sample);
        LayerSlice out = new LayerSlice(expectedGrad, b * n, sample);
        SampleView view =
            new SampleView() {
              @Override
              public LayerSlice activation(String name) {
                return in;
              }

              @Override
              public LayerSlice gradient(String name) {
                return out;
              }
            };
        expectedValue[b] = (float) (value0[b] + cpu.apply(b).evaluate(view));
      }
      return Errors.worst(
          Errors.relative(expectedValue, read(v, batch)),
          Errors.relative(expectedGrad, read(g, shape.size())));
    }

    @Override
    public void launch() {
      run(layer, a, g, v);
    }
  }

  // ---- Transforms
  // -------------------------------------------------------------------------------------

  /**
   * transform_forward (or transform_backward) of Lucid's default augmentation on 224x224 RGB images
   * at batch 256, ImageNet normalization. Bytes: the image read and the network input written (the
   * backward: the input's gradient read, the image's written), the samples read. FLOPs: 9 per
   * network-input value (a 4-tap bilinear blend, 7, and the normalization, 2; address arithmetic
   * not counted).
   */
  static KernelBenchmark transform(boolean backward) {
    String kernel = backward ? "transform_backward" : "transform_forward";
    return new Simple(kernel, kernel + " (transform.cu)") {
      @Override
      public KernelBenchmark.Prepared prepare(Device device, BenchSize size, Random rng) {
        int batch = size == BenchSize.FULL ? 256 : 2;
        int side = size == BenchSize.FULL ? 224 : 12;
        TransformConfig config = TransformConfig.lucidDefaults();
        TransformKernels.Dims d = new TransformKernels.Dims(batch, 3, side, side, side, side);
        Transforms t = new Transforms(config, Shape.of(3, side, side));
        TransformSample[] samples = new TransformSample[batch];
        for (int b = 0; b < batch; b++) samples[b] = t.draw(rng);
        int in = 3 * side * side;
        int plane = side * side;
        float[] host =
            backward
                ? Errors.uniform(rng, (int) d.outputSize(), -1f, 1f)
                : Errors.uniform(rng, (int) d.imageSize(), 0f, 1f);
        return new Owned(
            device,
            "[" + batch + ", 3, " + side + ", " + side + "] -> " + side + "x" + side,
            4 * (d.imageSize() + d.outputSize()) + 4L * TransformKernels.SAMPLE_FLOATS * batch,
            9 * d.outputSize(),
            1e-5) {
          final DeviceBuffer source = upload(host);
          final DeviceBuffer s = upload(TransformKernels.pack(samples));
          final DeviceBuffer mean = upload(IMAGENET.mean());
          final DeviceBuffer std = upload(IMAGENET.std());
          final DeviceBuffer target = floats(backward ? d.imageSize() : d.outputSize());

          @Override
          public double check() {
            launch();
            float[] expected = new float[(int) (backward ? d.imageSize() : d.outputSize())];
            for (int b = 0; b < batch; b++) {
              if (backward) {
                float[] g = new float[in];
                IMAGENET.backward(Errors.slice(host, b * in, in), 3, plane, g);
                float[] gi = new float[in];
                t.backward(g, samples[b], gi);
                System.arraycopy(gi, 0, expected, b * in, in);
              } else {
                float[] o = new float[in];
                t.forward(Errors.slice(host, b * in, in), samples[b], o);
                IMAGENET.apply(o, 3, plane, o);
                System.arraycopy(o, 0, expected, b * in, in);
              }
            }
            return Errors.relative(expected, read(target, expected.length));
          }

          @Override
          public void launch() {
            if (backward) {
              TransformKernels.backward(device, d, source, s, std, 3, target, false);
            } else {
              TransformKernels.forward(device, d, config, source, s, mean, std, 3, target);
            }
          }
        };
      }
    };
  }

  /** A benchmark's name and kernels; subclasses give {@link #prepare}. */
  abstract static class Simple implements KernelBenchmark {
    private final String name;
    private final String kernels;

    Simple(String name, String kernels) {
      this.name = name;
      this.kernels = kernels;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String kernels() {
      return kernels;
    }
  }
}
