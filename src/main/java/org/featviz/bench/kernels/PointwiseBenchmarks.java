package org.featviz.bench.kernels;

import java.util.List;
import java.util.Random;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Shape;
import org.featviz.ops.UnaryFunction;
import org.featviz.plan.CustomKernels;

/**
 * Benchmarks of the plan's pointwise kernels ({@code cuda/pointwise.cu}, launched through {@link
 * CustomKernels}). The CPU twin is the operator's ONNX definition: in closed form for LeakyRelu,
 * {@link UnaryFunction#value} (the CPU backend's) for the unary functions.
 */
final class PointwiseBenchmarks {
  private PointwiseBenchmarks() {}

  static List<KernelBenchmark> all() {
    return List.of(leakyRelu(), unary(UnaryFunction.ERF, -3f, 3f));
  }

  private static final float ALPHA = 0.07f;

  /**
   * leaky_relu_forward on inception4a-sized activations: y = x (x >= 0), alpha x (x < 0), as ONNX
   * LeakyRelu defines it. Bytes: x read, y written (8 per element). FLOPs: 1 per element.
   */
  static KernelBenchmark leakyRelu() {
    return new RenderKernelBenchmarks.Simple(
        "leaky_relu_forward", "leaky_relu_forward (pointwise.cu)") {
      @Override
      public KernelBenchmark.Prepared prepare(Device device, BenchSize size, Random rng) {
        Shape s = RenderKernelBenchmarks.inception4a(size);
        int n = s.size();
        float[] x = Errors.uniform(rng, n, -2f, 2f);
        return new Owned(device) {
          final DeviceBuffer dx = upload(x);
          final DeviceBuffer y = floats(n);

          @Override
          public String shape() {
            return s + " (GoogLeNet inception4a)";
          }

          @Override
          public long bytes() {
            return 8L * n;
          }

          @Override
          public long flops() {
            return n;
          }

          @Override
          public double tolerance() {
            return 1e-6;
          }

          @Override
          public double check() {
            launch();
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) expected[i] = x[i] >= 0 ? x[i] : ALPHA * x[i];
            return Errors.relative(expected, read(y, n));
          }

          @Override
          public void launch() {
            CustomKernels.leakyReluForward(device, dx, y, n, ALPHA);
          }
        };
      }
    };
  }

  /**
   * unary_forward of {@code f} on inception4a-sized activations uniform in [lo, hi], against {@link
   * UnaryFunction#value} in double. Bytes: x read, y written (8 per element). FLOPs: the function
   * counted as 1 per element (its instruction count differs by function and is not counted).
   */
  static KernelBenchmark unary(UnaryFunction f, float lo, float hi) {
    String name = "unary_forward_" + f.opType().toLowerCase(java.util.Locale.ROOT);
    return new RenderKernelBenchmarks.Simple(
        name, "unary_forward " + f.opType() + " (pointwise.cu)") {
      @Override
      public KernelBenchmark.Prepared prepare(Device device, BenchSize size, Random rng) {
        Shape s = RenderKernelBenchmarks.inception4a(size);
        int n = s.size();
        float[] x = Errors.uniform(rng, n, lo, hi);
        return new Owned(device) {
          final DeviceBuffer dx = upload(x);
          final DeviceBuffer y = floats(n);

          @Override
          public String shape() {
            return s + " (GoogLeNet inception4a)";
          }

          @Override
          public long bytes() {
            return 8L * n;
          }

          @Override
          public long flops() {
            return n;
          }

          @Override
          public double tolerance() {
            return 1e-6;
          }

          @Override
          public double check() {
            launch();
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) expected[i] = (float) f.value(x[i], 0, 0);
            return Errors.relative(expected, read(y, n));
          }

          @Override
          public void launch() {
            CustomKernels.unaryForward(device, f, dx, y, n, 0f, 0f);
          }
        };
      }
    };
  }
}
