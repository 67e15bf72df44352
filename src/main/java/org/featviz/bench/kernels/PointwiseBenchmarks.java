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
 * CustomKernels}), and LayerNormalization's forward ({@code cuda/normalize.cu}). The CPU twin is
 * the operator's ONNX definition: in closed form for LeakyRelu and LayerNormalization, {@link
 * UnaryFunction#value} (the CPU backend's) for the unary functions.
 */
final class PointwiseBenchmarks {
  private PointwiseBenchmarks() {}

  static List<KernelBenchmark> all() {
    return List.of(leakyRelu(), unary(UnaryFunction.ERF, -3f, 3f), layerNorm());
  }

  private static final float ALPHA = 0.07f;

  /** A pointwise kernel's launch: y = f(x) over n floats. */
  private interface Launch {
    void run(Device device, DeviceBuffer x, DeviceBuffer y, int n);
  }

  /**
   * leaky_relu_forward on inception4a-sized activations: y = x (x >= 0), alpha x (x < 0), as ONNX
   * LeakyRelu defines it.
   */
  static KernelBenchmark leakyRelu() {
    return pointwise(
        "leaky_relu_forward",
        "leaky_relu_forward (pointwise.cu)",
        -2f,
        2f,
        v -> v >= 0 ? v : ALPHA * v,
        (device, x, y, n) -> CustomKernels.leakyReluForward(device, x, y, n, ALPHA));
  }

  /**
   * unary_forward of {@code f} on inception4a-sized activations uniform in [lo, hi], against {@link
   * UnaryFunction#value} in double. FLOPs: the function counted as 1 per element (its instruction
   * count differs by function and is not counted).
   */
  static KernelBenchmark unary(UnaryFunction f, float lo, float hi) {
    return pointwise(
        "unary_forward_" + f.opType().toLowerCase(java.util.Locale.ROOT),
        "unary_forward " + f.opType() + " (pointwise.cu)",
        lo,
        hi,
        v -> (float) f.value(v, 0, 0),
        (device, x, y, n) -> CustomKernels.unaryForward(device, f, x, y, n, 0f, 0f));
  }

  /**
   * A pointwise kernel on inception4a-sized activations uniform in [lo, hi], checked against {@code
   * expected} per element. Bytes: x read, y written (8 per element). FLOPs: 1 per element.
   */
  private static KernelBenchmark pointwise(
      String name,
      String label,
      float lo,
      float hi,
      java.util.function.DoubleUnaryOperator expected,
      Launch kernel) {
    return new RenderKernelBenchmarks.Simple(name, label) {
      @Override
      public KernelBenchmark.Prepared prepare(Device device, BenchSize size, Random rng) {
        Shape s = RenderKernelBenchmarks.inception4a(size);
        int n = s.size();
        float[] x = Errors.uniform(rng, n, lo, hi);
        return new Owned(device, s + " (GoogLeNet inception4a)", 8L * n, n, 1e-6) {
          final DeviceBuffer dx = upload(x);
          final DeviceBuffer y = floats(n);

          @Override
          public double check() {
            launch();
            float[] want = new float[n];
            for (int i = 0; i < n; i++) want[i] = (float) expected.applyAsDouble(x[i]);
            return Errors.relative(want, read(y, n));
          }

          @Override
          public void launch() {
            kernel.run(device, dx, y, n);
          }
        };
      }
    };
  }

  /**
   * layer_norm_forward on ViT-B/16's tokens (batch 256 x 197 tokens, 768 features; small: 15 rows
   * of 24), Scale and B random, against the ONNX definition in double. Bytes: x read, y written,
   * Scale and B read (8 per element). FLOPs: about 8 per element (two passes of sums, the affine
   * map).
   */
  static KernelBenchmark layerNorm() {
    return new RenderKernelBenchmarks.Simple(
        "layer_norm_forward", "layer_norm_forward (normalize.cu)") {
      @Override
      public KernelBenchmark.Prepared prepare(Device device, BenchSize size, Random rng) {
        int rows = size == BenchSize.FULL ? 256 * 197 : 15;
        int cols = size == BenchSize.FULL ? 768 : 24;
        int n = rows * cols;
        float[] x = Errors.uniform(rng, n, -2f, 2f);
        float[] scale = Errors.uniform(rng, cols, 0.5f, 1.5f);
        float[] bias = Errors.uniform(rng, cols, -1f, 1f);
        float eps = 1e-6f;
        return new Owned(
            device, "[" + rows + ", " + cols + "] (ViT-B/16 tokens)", 8L * n, 8L * n, 1e-6) {
          final DeviceBuffer dx = upload(x);
          final DeviceBuffer ds = upload(scale);
          final DeviceBuffer db = upload(bias);
          final DeviceBuffer y = floats(n);

          @Override
          public double check() {
            launch();
            float[] want = new float[n];
            for (int r = 0; r < rows; r++) {
              double mean = 0;
              for (int i = 0; i < cols; i++) mean += x[r * cols + i];
              mean /= cols;
              double var = 0;
              for (int i = 0; i < cols; i++) var += Math.pow(x[r * cols + i] - mean, 2);
              double inv = 1 / Math.sqrt(var / cols + eps);
              for (int i = 0; i < cols; i++)
                want[r * cols + i] = (float) ((x[r * cols + i] - mean) * inv * scale[i] + bias[i]);
            }
            return Errors.relative(want, read(y, n));
          }

          @Override
          public void launch() {
            CustomKernels.layerNormForward(device, dx, ds, db, y, rows, cols, eps);
          }
        };
      }
    };
  }
}
