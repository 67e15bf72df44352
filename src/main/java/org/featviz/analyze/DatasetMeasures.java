package org.featviz.analyze;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.featviz.Model;
import org.featviz.analysis.ClassSelectivity;
import org.featviz.backend.Backend;
import org.featviz.backend.Backends;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.device.Device;
import org.featviz.device.MathMode;
import org.featviz.eval.Ablation;
import org.featviz.eval.DatasetResponses;
import org.featviz.eval.DeviceAblation;
import org.featviz.eval.DeviceUnitResponses;
import org.featviz.eval.UnitResponses;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.report.ContactSheet;

/**
 * The forward-only passes of an analysis over the dataset: every selected unit's responses
 * (selectivity, percentiles, exemplars) in one pass, on the model's device where it has one (per
 * class sums and top-k on the device) and else on the CPU backend, then per layer its single-unit
 * ablations (one ablation pass per layer: the network up to it runs once per chunk), on the same
 * device ({@link DeviceAblation}) or the CPU. Keeps the prepared graph and the images for the
 * cumulative curves.
 */
final class DatasetMeasures implements AutoCloseable {
  /** Images per forward of the dataset passes. */
  static final int CHUNK = 256;

  /** A unit's dataset measures: a units.csv row before its renders. */
  record Unit(
      String layer,
      int unit,
      double selectivity,
      String preferredClass,
      double accuracyDrop,
      double lossIncrease) {}

  final Graph graph;
  final Dataset data;
  final DatasetResponses responses;

  /** What an ablated unit becomes, and per layer every unit's dataset mean (for the mean). */
  final Ablation.Replacement replacement;

  final Map<String, float[]> means;

  /** Wall time of the responses pass and of the single-unit ablations. */
  final double passSeconds;

  final double ablationSeconds;

  /** Per layer, its units in order. */
  final Map<String, List<Unit>> units;

  private DatasetMeasures(
      Graph graph,
      Dataset data,
      DatasetResponses responses,
      Ablation.Replacement replacement,
      Map<String, float[]> means,
      Map<String, List<Unit>> units,
      double passSeconds,
      double ablationSeconds) {
    this.graph = graph;
    this.data = data;
    this.responses = responses;
    this.replacement = replacement;
    this.means = means;
    this.units = units;
    this.passSeconds = passSeconds;
    this.ablationSeconds = ablationSeconds;
  }

  /**
   * Measures the {@code selected} units of each layer over the first {@code images} images of
   * {@code all}, drawing each unit's exemplar sheet into {@code out}/exemplars.
   */
  static DatasetMeasures run(
      Model m,
      Dataset all,
      int images,
      Map<String, List<Integer>> selected,
      ClassSelectivity.Negatives policy,
      Ablation.Replacement replacement,
      Path out) {
    long start = System.nanoTime();
    Dataset data = all.slice(0, images);
    String scores = m.graph().outputs().get(0);
    List<String> values = new ArrayList<>(List.of(scores));
    values.addAll(selected.keySet());
    Graph g = m.prepare(values);
    DatasetResponses r = responses(m, g, new ArrayList<>(selected.keySet()), data, images);
    double passSeconds = (System.nanoTime() - start) / 1e9;
    double ablationSeconds = 0;
    Map<String, float[]> means = new LinkedHashMap<>();
    Map<String, List<Unit>> table = new LinkedHashMap<>();
    for (Map.Entry<String, List<Integer>> e : selected.entrySet()) {
      String layer = e.getKey();
      List<Double> selectivity = new ArrayList<>();
      List<String> preferred = new ArrayList<>();
      List<int[]> sets = new ArrayList<>(List.of(new int[0]));
      for (int u : e.getValue()) {
        double[] classMeans = r.classMeans(layer, u);
        double s;
        try {
          s = ClassSelectivity.of(classMeans, policy);
        } catch (IllegalArgumentException ex) {
          throw new NegativeActivationsException(layer, u, ex.getMessage());
        }
        int best = 0;
        for (int c = 1; c < classMeans.length; c++) if (classMeans[c] > classMeans[best]) best = c;
        selectivity.add(s);
        preferred.add(data.className(best));
        writeExemplars(out, layer, u, r, data);
        sets.add(new int[] {u});
      }
      means.put(layer, r.unitMeans(layer));
      long ablationStart = System.nanoTime();
      List<Ablation.Score> ablated =
          ablate(m, g, layer, sets, data, replacement, means.get(layer), images);
      ablationSeconds += (System.nanoTime() - ablationStart) / 1e9;
      List<Unit> units = new ArrayList<>();
      for (int i = 0; i < e.getValue().size(); i++) {
        units.add(
            new Unit(
                layer,
                e.getValue().get(i),
                selectivity.get(i),
                preferred.get(i),
                ablated.get(0).accuracy() - ablated.get(i + 1).accuracy(),
                ablated.get(i + 1).meanLoss() - ablated.get(0).meanLoss()));
      }
      table.put(layer, units);
    }
    return new DatasetMeasures(g, data, r, replacement, means, table, passSeconds, ablationSeconds);
  }

  /**
   * The scores of an ablation pass of {@code layer} ({@link Ablation#run}): on the model's device
   * where it has one (the forwards in FP32, masks applied and scores counted on the device), else
   * on the CPU backend.
   */
  static List<Ablation.Score> ablate(
      Model m,
      Graph g,
      String layer,
      List<int[]> sets,
      Dataset data,
      Ablation.Replacement replacement,
      float[] means,
      int images) {
    Device device = m.device();
    if (device == null) {
      return Ablation.run(
          g, layer, sets, data, m.normalization(), replacement, means, images, CHUNK, n -> {});
    }
    try (Device.MathModeScope fp32 = device.withMathMode(MathMode.FP32)) {
      return DeviceAblation.run(
          device,
          g,
          layer,
          sets,
          data,
          m.normalization(),
          replacement,
          means,
          images,
          CHUNK,
          n -> {});
    }
  }

  /**
   * Where the dataset passes and ablations of {@code m} run: "cpu", or "gpu (NAME, fp32)" or
   * "emulated (NAME, fp32)" (they run in FP32 whatever the render math mode).
   */
  static String evaluatedOn(Model m) {
    Device device = m.device();
    if (device == null) return "cpu";
    String kind = m.backend().startsWith("emulated") ? "emulated" : "gpu";
    return kind + " (" + device.name() + ", fp32)";
  }

  /**
   * The responses pass: on the model's device where it has one (the forward in FP32, so the results
   * are the CPU reference's; the unit means stay on the device until these measures close), else on
   * the CPU backend.
   */
  private static DatasetResponses responses(
      Model m, Graph g, List<String> layers, Dataset data, int images) {
    Device device = m.device();
    if (device == null) {
      try (ForwardBackend cpu = Backends.open(Backend.CPU, g)) {
        return UnitResponses.collect(
            cpu, g, layers, data, m.normalization(), images, CHUNK, n -> {});
      }
    }
    try (Device.MathModeScope fp32 = device.withMathMode(MathMode.FP32)) {
      DeviceUnitResponses r =
          DeviceUnitResponses.collect(
              device, g, layers, data, m.normalization(), images, CHUNK, EXEMPLARS, n -> {});
      return r;
    }
  }

  /** Frees the device memory of device responses (nothing for the CPU's). */
  @Override
  public void close() {
    if (responses instanceof DeviceUnitResponses d) d.close();
  }

  /** How many of its top dataset images each unit's exemplar sheet shows. */
  static final int EXEMPLARS = 9;

  /** The exemplar sheet of a unit, relative to the analysis folder. */
  static String exemplarPath(String layer, int unit) {
    return "exemplars/" + safe(layer) + "/" + String.format(Locale.ROOT, "unit_%04d.png", unit);
  }

  /** A layer's name as a file name, as the sweeps write it. */
  static String safe(String layer) {
    return layer.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /**
   * The unit's top dataset images in OUT/exemplars/LAYER/unit_NNNN.png, each labelled with class
   * and response.
   */
  private static void writeExemplars(
      Path out, String layer, int unit, DatasetResponses r, Dataset data) {
    Shape shape = Shape.of(data.channels(), data.height(), data.width());
    ContactSheet sheet = new ContactSheet(shape, 3, 2);
    int[] top = r.topImages(layer, unit, EXEMPLARS);
    float[] values = r.topValues(layer, unit, EXEMPLARS);
    for (int j = 0; j < top.length; j++) {
      int i = top[j];
      sheet.add(
          data.image(i),
          data.className(data.label(i)),
          String.format(Locale.ROOT, "%.3g", values[j]));
    }
    sheet.write(out.resolve(exemplarPath(layer, unit)));
  }
}
