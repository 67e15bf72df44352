package org.featviz.bench.kernels;

import java.util.List;
import java.util.Random;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.eval.DatasetKernels;
import org.featviz.eval.UnitResponses;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * Benchmarks of the dataset-pass kernels ({@code cuda/dataset.cu}, launched through {@link
 * DatasetKernels}), checked against their CPU twins in {@link UnitResponses}.
 */
final class DatasetBenchmarks {
  private DatasetBenchmarks() {}

  static List<KernelBenchmark> all() {
    return List.of(unitMeans());
  }

  /**
   * dataset_unit_means on inception4a activations: each image's channel means, summed in double.
   * Bytes: the activations read, the means written. FLOPs: 1 per activation (the sums; the divide
   * per mean not counted). Check: bit for bit against {@link UnitResponses#unitMeans}.
   */
  static KernelBenchmark unitMeans() {
    return new RenderKernelBenchmarks.Simple(
        "dataset_unit_means", "dataset_unit_means (dataset.cu)") {
      @Override
      public KernelBenchmark.Prepared prepare(Device device, BenchSize size, Random rng) {
        Shape s = RenderKernelBenchmarks.inception4a(size);
        int n = s.dim(0);
        int units = s.dim(1);
        int positions = s.size(2, 4);
        float[] acts = Errors.uniform(rng, s.size(), -1f, 1f);
        return new Owned(
            device, s + " (GoogLeNet inception4a)", 4L * s.size() + 4L * n * units, s.size(), 0) {
          final DeviceBuffer a = upload(acts);
          final DeviceBuffer means = floats((long) n * units);

          @Override
          public double check() {
            launch();
            float[][] cpu = UnitResponses.unitMeans(Tensor.of(s, acts.clone()));
            float[] expected = new float[n * units];
            for (int b = 0; b < n; b++) System.arraycopy(cpu[b], 0, expected, b * units, units);
            return Errors.relative(expected, read(means, n * units));
          }

          @Override
          public void launch() {
            DatasetKernels.unitMeans(device, a, means, n, units, positions, 0);
          }
        };
      }
    };
  }
}
