package org.featviz.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.BundledModels;
import org.featviz.Model;
import org.featviz.TestData;
import org.featviz.analysis.ClassSelectivity;
import org.featviz.backend.Backend;
import org.featviz.data.Dataset;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.eval.Ablation;
import org.featviz.eval.DeviceAblation;
import org.featviz.ir.Graph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ablations of an analysis on the emulated device against the CPU reference ({@link
 * Ablation#run}), on the bundled fashion models and Fashion-MNIST test images (300: a chunk of 256
 * and a partial one). Accuracies must be equal (the predictions are identical: the emulator's
 * forward differs from the CPU's by float rounding only) and mean losses within 1e-5 relative, by
 * zero and by the mean, for a conv layer and dense layers, every unit ablated included, and on
 * fashion-cnn's relu_fc1 (13 distinct sets, chunks of 100) at 1, 3 (a partial last group) and the
 * default number of sets per forward; and through {@link DatasetMeasures} and {@link
 * CumulativeAblation} with the model opened on the emulator: the same single-unit drops and curves
 * as on the CPU. The emulator is not a GPU; GpuTest$AblationKernel checks the kernels there.
 */
class DeviceAblationTest {
  private static final int IMAGES = 300;

  @TempDir Path tmp;

  private static Dataset data;

  @BeforeAll
  static void load() {
    data = TestData.fashionMnistTest(IMAGES);
  }

  @Test
  void deviceScoresAreTheCpusOnTheBundledModels() {
    check(
        "fashion-cnn",
        "relu4",
        List.of(new int[0], new int[] {3}, new int[] {0, 5, 9}),
        256,
        false);
    List<int[]> dense = new ArrayList<>(List.of(new int[0], new int[] {1}, new int[] {7, 2}));
    int[] order = new int[128];
    for (int u = 0; u < order.length; u++) order[u] = (u * 37) % order.length;
    dense.addAll(Ablation.cumulative(order, UnitAnalysis.FRACTIONS));
    check("fashion-cnn", "relu_fc1", dense, 100, true);
    check(
        "fashion-mlp",
        "relu_fc2",
        List.of(new int[0], new int[] {4}, new int[] {0, 1, 2}),
        256,
        false);
  }

  /** {@code sweep}: at 1, 3 and the default sets per forward by zero, else at the default only. */
  private void check(String model, String layerName, List<int[]> sets, int batch, boolean sweep) {
    try (Model m = Model.builder(BundledModels.path(model)).optBackend(Backend.CPU).open()) {
      String layer = m.graph().resolveLayer(layerName);
      Graph g = m.prepare(List.of(m.graph().outputs().get(0), layer));
      int units = m.units(layer);
      float[] means = new float[units];
      for (int u = 0; u < units; u++) means[u] = 0.05f * (u % 7);
      List<int[]> all = new ArrayList<>(sets);
      int[] every = new int[units];
      for (int u = 0; u < units; u++) every[u] = u;
      all.add(every);
      for (Ablation.Replacement r : Ablation.Replacement.values()) {
        List<Ablation.Score> cpu =
            Ablation.run(g, layer, all, data, m.normalization(), r, means, IMAGES, batch, n -> {});
        assertTrue(
            cpu.get(all.size() - 1).accuracy() < cpu.get(0).accuracy() - 0.3,
            model + " " + layer + " " + r + ": ablating every unit costs accuracy");
        try (EmulatedDevice device = new EmulatedDevice()) {
          for (int perForward :
              sweep && r == Ablation.Replacement.ZERO ? new int[] {1, 3, 0} : new int[] {0}) {
            List<Ablation.Score> dev =
                DeviceAblation.run(
                    device,
                    g,
                    layer,
                    all,
                    data,
                    m.normalization(),
                    r,
                    means,
                    IMAGES,
                    batch,
                    perForward,
                    n -> {});
            compare(cpu, dev, model + " " + layer + " " + r + " sets per forward " + perForward);
          }
        }
      }
    }
  }

  private static void compare(List<Ablation.Score> cpu, List<Ablation.Score> dev, String what) {
    assertEquals(cpu.size(), dev.size(), what);
    for (int s = 0; s < cpu.size(); s++) {
      Ablation.Score c = cpu.get(s);
      Ablation.Score d = dev.get(s);
      assertEquals(c.images(), d.images(), what + " set " + s);
      assertEquals(c.accuracy(), d.accuracy(), 0.0, what + " set " + s + " accuracy");
      double loss = c.meanLoss();
      if (Double.isNaN(loss) || Double.isNaN(d.meanLoss()))
        fail(what + " set " + s + ": loss cpu " + loss + ", device " + d.meanLoss());
      assertEquals(loss, d.meanLoss(), 1e-5 * Math.abs(loss), what + " set " + s + " loss");
    }
  }

  @Test
  void analysisAblationsOnTheEmulatorAreTheCpus() {
    Measured cpu = measure(Backend.CPU, tmp.resolve("cpu"));
    Measured emu = measure(Backend.EMULATED, tmp.resolve("emu"));
    assertEquals("cpu", cpu.evaluatedOn);
    assertTrue(emu.evaluatedOn.startsWith("emulated ("), emu.evaluatedOn);
    assertTrue(emu.evaluatedOn.endsWith(", fp32)"), emu.evaluatedOn);
    assertEquals(cpu.units.size(), emu.units.size());
    for (int i = 0; i < cpu.units.size(); i++) {
      UnitRow c = cpu.units.get(i);
      UnitRow e = emu.units.get(i);
      String key = c.layer() + "/" + c.unit();
      assertEquals(c.ablationAccuracyDrop(), e.ablationAccuracyDrop(), 0.0, key + " drop");
      assertEquals(
          c.ablationLossIncrease(),
          e.ablationLossIncrease(),
          1e-4 * Math.max(Math.abs(c.ablationLossIncrease()), 1e-3),
          key + " loss increase");
    }
    assertEquals(cpu.curves.points().size(), emu.curves.points().size());
    assertTrue(cpu.curves.points().size() > 0);
    for (int i = 0; i < cpu.curves.points().size(); i++) {
      AblationPoint c = cpu.curves.points().get(i);
      AblationPoint e = emu.curves.points().get(i);
      String key = c.layer() + " " + c.order() + " " + c.fraction();
      assertEquals(c.order(), e.order(), key);
      assertEquals(c.unitsAblated(), e.unitsAblated(), key);
      assertEquals(c.accuracy(), e.accuracy(), 0.0, key + " accuracy");
      assertEquals(c.meanLoss(), e.meanLoss(), 1e-5 * Math.abs(c.meanLoss()), key + " loss");
    }
    for (int i = 0; i < cpu.curves.areas().size(); i++)
      assertEquals(
          cpu.curves.areas().get(i).auc(), emu.curves.areas().get(i).auc(), 0.0, "area " + i);
  }

  private record Measured(List<UnitRow> units, CumulativeAblation curves, String evaluatedOn) {}

  private static Measured measure(Backend backend, Path out) {
    try (Model m = Model.builder(BundledModels.path("fashion-cnn")).optBackend(backend).open()) {
      Map<String, List<Integer>> selected = new LinkedHashMap<>();
      selected.put(m.graph().resolveLayer("relu4"), List.of(0, 1, 2, 3, 4));
      List<UnitRow> rows = new ArrayList<>();
      try (DatasetMeasures d =
          DatasetMeasures.run(
              m,
              data,
              IMAGES,
              selected,
              ClassSelectivity.Negatives.REFUSE,
              Ablation.Replacement.MEAN,
              out)) {
        for (List<DatasetMeasures.Unit> layer : d.units.values())
          for (DatasetMeasures.Unit u : layer)
            rows.add(
                new UnitRow(
                    u.layer(),
                    u.unit(),
                    u.selectivity(),
                    u.preferredClass(),
                    Map.of(),
                    u.accuracyDrop(),
                    u.lossIncrease(),
                    DatasetMeasures.exemplarPath(u.layer(), u.unit())));
        AnalysisResult table = new AnalysisResult(List.of(), rows, List.of(), List.of(), List.of());
        CumulativeAblation curves =
            CumulativeAblation.run(m, d, table, IMAGES, new AnalysisListener() {});
        return new Measured(rows, curves, DatasetMeasures.evaluatedOn(m));
      }
    }
  }
}
