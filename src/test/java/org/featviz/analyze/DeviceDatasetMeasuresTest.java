package org.featviz.analyze;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.BundledModels;
import org.featviz.Model;
import org.featviz.TestData;
import org.featviz.analysis.ClassSelectivity;
import org.featviz.backend.Backend;
import org.featviz.backend.Backends;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.eval.Ablation;
import org.featviz.eval.DatasetKernelChecks;
import org.featviz.eval.DeviceUnitResponses;
import org.featviz.eval.UnitResponses;
import org.featviz.ir.Graph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset pass of an analysis on the emulated device against the CPU reference, on fashion-cnn
 * and Fashion-MNIST test images (300: a full chunk of 256 and a partial one): class means within
 * 1e-5, the same top-k images and percentiles (the emulator's forward differs from the CPU's by
 * float rounding, so values compare within 1e-5 and percentiles at values off the responses), and
 * the same measures and exemplar sheets from {@link DatasetMeasures} with the model on the emulator
 * as on the CPU. The emulator is not a GPU; GpuTest$DatasetKernel checks the kernels there.
 */
class DeviceDatasetMeasuresTest {
  private static final int IMAGES = 300;
  private static final List<String> LAYERS = List.of("relu2", "relu_fc1");

  @TempDir Path tmp;

  private static Dataset data;

  @BeforeAll
  static void load() {
    data = TestData.fashionMnistTest(IMAGES);
  }

  @Test
  void deviceResponsesAreTheCpus() {
    try (Model m =
        Model.builder(BundledModels.path("fashion-cnn")).optBackend(Backend.CPU).open()) {
      List<String> layers = LAYERS.stream().map(m.graph()::resolveLayer).toList();
      Graph g = m.prepare(layers);
      UnitResponses cpu;
      try (ForwardBackend b = Backends.open(Backend.CPU, g)) {
        cpu = UnitResponses.collect(b, g, layers, data, m.normalization(), IMAGES, 256, n -> {});
      }
      try (EmulatedDevice device = new EmulatedDevice();
          DeviceUnitResponses dev =
              DeviceUnitResponses.collect(
                  device, g, layers, data, m.normalization(), IMAGES, 256, 9, n -> {})) {
        for (String layer : layers) {
          assertEquals(cpu.units(layer), dev.units(layer), layer);
          DatasetKernelChecks.assertClose(
              toDouble(cpu.unitMeans(layer)), toDouble(dev.unitMeans(layer)), 1e-5, layer);
          for (int u = 0; u < cpu.units(layer); u++) {
            String what = layer + " unit " + u;
            DatasetKernelChecks.assertClose(
                cpu.classMeans(layer, u), dev.classMeans(layer, u), 1e-5, what + " class means");
            assertArrayEquals(cpu.topImages(layer, u, 9), dev.topImages(layer, u, 9), what);
            DatasetKernelChecks.assertClose(
                toDouble(cpu.topValues(layer, u, 9)),
                toDouble(dev.topValues(layer, u, 9)),
                1e-5,
                what + " top values");
            float[] r = cpu.of(layer, u);
            // Away from the responses by far more than the forwards' ulp differences.
            for (double v : new double[] {r[0] + 1e-4, r[17] - 1e-4, r[123] + 1e-4, -1, 1e9}) {
              assertEquals(
                  cpu.percentile(layer, u, v), dev.percentile(layer, u, v), what + " at " + v);
            }
          }
        }
      }
    }
  }

  @Test
  void measuresOnTheEmulatorAreTheCpus() throws Exception {
    Map<String, DatasetMeasures.Unit> cpu = measures(Backend.CPU, tmp.resolve("cpu"));
    Map<String, DatasetMeasures.Unit> emu = measures(Backend.EMULATED, tmp.resolve("emu"));
    assertEquals(cpu.keySet(), emu.keySet());
    for (String key : cpu.keySet()) {
      DatasetMeasures.Unit c = cpu.get(key);
      DatasetMeasures.Unit e = emu.get(key);
      assertEquals(c.selectivity(), e.selectivity(), 1e-5 * Math.abs(c.selectivity()), key);
      assertEquals(c.preferredClass(), e.preferredClass(), key);
      assertEquals(c.accuracyDrop(), e.accuracyDrop(), 0.0, key);
      String sheet = DatasetMeasures.exemplarPath(c.layer(), c.unit());
      assertArrayEquals(
          Files.readAllBytes(tmp.resolve("cpu").resolve(sheet)),
          Files.readAllBytes(tmp.resolve("emu").resolve(sheet)),
          key + " exemplar sheet");
    }
  }

  private static Map<String, DatasetMeasures.Unit> measures(Backend backend, Path out) {
    try (Model m = Model.builder(BundledModels.path("fashion-cnn")).optBackend(backend).open()) {
      Map<String, List<Integer>> selected = new LinkedHashMap<>();
      selected.put(m.graph().resolveLayer("relu2"), List.of(0, 1, 2, 3));
      Map<String, DatasetMeasures.Unit> units = new LinkedHashMap<>();
      try (DatasetMeasures d =
          DatasetMeasures.run(
              m,
              data,
              IMAGES,
              selected,
              ClassSelectivity.Negatives.REFUSE,
              Ablation.Replacement.ZERO,
              out)) {
        for (List<DatasetMeasures.Unit> layer : d.units.values())
          for (DatasetMeasures.Unit u : layer) units.put(u.layer() + "/" + u.unit(), u);
      }
      return units;
    }
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }
}
