package org.featviz.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.featviz.Model;
import org.featviz.analysis.ClassSelectivity;
import org.featviz.analysis.Spearman;
import org.featviz.backend.Backend;
import org.featviz.backend.Backends;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.data.FashionMnist;
import org.featviz.eval.Ablation;
import org.featviz.eval.UnitResponses;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.objective.Objectives;
import org.featviz.render.RenderOptions;
import org.featviz.render.UnitObjective;
import org.featviz.sweep.Sweep;
import org.featviz.sweep.UnitResult;
import org.featviz.sweep.UnitSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code featviz analyze}: for every selected unit, how replaceable it is (Representative
 * Substitution on its AM and IAM images), how selective for one class, how much accuracy its
 * ablation costs, and how these relate per layer. The renders are sweeps (resumable, in OUT/am and
 * OUT/iam); the dataset passes run first, so that a layer the measures do not fit is refused before
 * any render.
 */
@Command(
    name = "analyze",
    description =
        "Per unit: RS on its AM and IAM images, class selectivity, dataset percentile and single-unit ablation;"
            + " per layer: Spearman's rho between them. Writes units.csv and layers.csv; the renders resume.")
final class AnalyzeCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "ONNX classifier")
  Path model;

  @Option(
      names = {"--layers", "--layer"},
      required = true,
      split = ",",
      description =
          "layers to analyze, comma-separated (post-ReLU layers: selectivity needs activations >= 0)")
  List<String> layers;

  @Option(
      names = {"--units", "--unit"},
      defaultValue = "all",
      description = "all (default), a-b, or a list")
  String units;

  @Option(
      names = "--objectives",
      defaultValue = "am,iam",
      split = ",",
      description =
          "the images RS is measured on: am (maximize the unit), iam (the unit minus the mean of the"
              + " others); default both")
  List<String> objectives;

  @Option(
      names = "--images",
      defaultValue = "1000",
      description =
          "Fashion-MNIST test images for selectivity, percentiles and ablation (default 1000)")
  int images;

  @Option(names = "--data-dir", description = "Fashion-MNIST folder (default: Debian's)")
  Path dataDir;

  @Option(
      names = "--negatives",
      defaultValue = "refuse",
      description =
          "selectivity on a layer with negative activations: refuse (default) or clamp (at 0)")
  String negatives;

  @Option(
      names = "--batch",
      defaultValue = "64",
      description = "units per render launch (default 64)")
  int batch;

  @Option(
      names = "--ablation",
      defaultValue = "single",
      split = ",",
      description =
          "single (default: each unit alone) and/or cumulative (accuracy as a growing share of the layer's"
              + " selected units is ablated, in random order (3 seeds), by selectivity and by RS, high and low"
              + " first: ablation.csv and ablation_auc.csv)")
  List<String> ablation;

  @Option(names = "--out", required = true, description = "output folder")
  Path out;

  @Mixin RenderOptionsMixin render;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** The prepared graph and the dataset images of the dataset passes, for the cumulative curves. */
  private Graph analysisGraph;

  private Dataset analysisData;

  /** The fractions of a layer's selected units a cumulative curve ablates. */
  static final double[] FRACTIONS = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};

  /** Permutations and bootstrap resamples of each rho in layers.csv. */
  static final int PERMUTATIONS = 10_000;

  static final int RESAMPLES = 2_000;

  @Override
  public Integer call() {
    PrintWriter pw = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (String o : objectives) {
      if (!o.equals("am") && !o.equals("iam")) {
        throw new ModelException(
            "--objectives " + String.join(",", objectives) + ": expected am, iam or both");
      }
    }
    ClassSelectivity.Negatives policy =
        switch (negatives) {
          case "refuse" -> ClassSelectivity.Negatives.REFUSE;
          case "clamp" -> ClassSelectivity.Negatives.CLAMP;
          default ->
              throw new ModelException("--negatives " + negatives + ": expected refuse or clamp");
        };
    for (String a : ablation) {
      if (!a.equals("single") && !a.equals("cumulative")) {
        throw new ModelException(
            "--ablation " + String.join(",", ablation) + ": expected single, cumulative or both");
      }
    }
    if (images < 1) throw new ModelException("--images " + images + ": must be at least 1");
    if (batch < 1) throw new ModelException("--batch " + batch + ": must be at least 1");
    render.validate();
    OutputFolder.prepare("--out", out);
    Dataset data =
        FashionMnist.load(
            dataDir != null ? dataDir : FashionMnist.defaultDir(), FashionMnist.Split.TEST);
    if (images > data.size())
      throw new ModelException("--images " + images + ": the test split has " + data.size());
    try (Model m = render.open(model)) {
      List<String> names = layers.stream().map(m.graph()::resolveLayer).distinct().toList();
      Map<String, List<Integer>> selected = new LinkedHashMap<>();
      for (String l : names) {
        List<Integer> u = new UnitSelection(units).resolve(l, m.units(l));
        if (u.size() < 2) {
          throw new ModelException(
              "layer '" + l + "': a per-layer correlation needs at least 2 units, got " + u.size());
        }
        selected.put(l, u);
      }
      Map<String, Map<Integer, Measures>> table = datasetPasses(m, data, selected, policy, err);
      RenderOptions options = render.options(m.imageShape(), err);
      int upscale = render.upscaleFor(m.imageShape());
      for (String kind : objectives) {
        UnitObjective objective =
            (layer, unit, count, seed) ->
                kind.equals("am") ? Objectives.channel(layer, unit) : Objectives.iam(layer, unit);
        Path folder = out.resolve(kind);
        pw.printf("%s images of %s in %s%n", kind.toUpperCase(Locale.ROOT), names, folder);
        try (SweepProgress progress = new SweepProgress(pw, err, folder, options.steps())) {
          List<UnitResult> rows =
              Sweep.run(
                  m,
                  names,
                  new UnitSelection(units),
                  objective,
                  kind,
                  batch,
                  options,
                  upscale,
                  folder,
                  progress);
          progress.close();
          pw.println(progress.summary(rows, names));
          for (UnitResult r : rows) table.get(r.layer()).get(r.unit()).rendered(kind, r);
        }
      }
      write(table, pw);
      if (ablation.contains("cumulative")) cumulative(m, table, pw);
    }
    return 0;
  }

  /**
   * Selectivity, the responses percentiles are read from, and single-unit ablation, per selected
   * unit.
   */
  private Map<String, Map<Integer, Measures>> datasetPasses(
      Model m,
      Dataset all,
      Map<String, List<Integer>> selected,
      ClassSelectivity.Negatives policy,
      PrintWriter err) {
    Dataset data = all.slice(0, images);
    analysisData = data;
    String scores = m.graph().outputs().get(0);
    List<String> values = new ArrayList<>(List.of(scores));
    values.addAll(selected.keySet());
    Graph g = m.prepare(values);
    analysisGraph = g;
    long start = System.nanoTime();
    UnitResponses r;
    try (ForwardBackend cpu = Backends.open(Backend.CPU, g)) {
      r =
          UnitResponses.collect(
              cpu,
              g,
              new ArrayList<>(selected.keySet()),
              data,
              m.normalization(),
              images,
              256,
              n -> {});
    }
    Map<String, Map<Integer, Measures>> table = new LinkedHashMap<>();
    for (Map.Entry<String, List<Integer>> e : selected.entrySet()) {
      String layer = e.getKey();
      Map<Integer, Measures> units = new LinkedHashMap<>();
      List<int[]> sets = new ArrayList<>(List.of(new int[0]));
      for (int u : e.getValue()) {
        double[] means = r.classMeans(layer, u);
        double s;
        try {
          s = ClassSelectivity.of(means, policy);
        } catch (IllegalArgumentException ex) {
          throw new ModelException(
              "layer '"
                  + layer
                  + "' unit "
                  + u
                  + ": "
                  + ex.getMessage()
                  + " (--negatives clamp takes them as 0; or analyze the layer after its ReLU)");
        }
        int preferred = 0;
        for (int c = 1; c < means.length; c++) if (means[c] > means[preferred]) preferred = c;
        units.put(u, new Measures(layer, u, s, data.className(preferred), r));
        writeExemplars(layer, u, r, data);
        sets.add(new int[] {u});
      }
      List<Ablation.Score> ablated =
          Ablation.run(
              g,
              layer,
              sets,
              data,
              m.normalization(),
              Ablation.Replacement.ZERO,
              null,
              images,
              256,
              n -> {});
      int i = 1;
      for (Measures u : units.values()) {
        u.accuracyDrop = ablated.get(0).accuracy() - ablated.get(i).accuracy();
        u.lossIncrease = ablated.get(i).meanLoss() - ablated.get(0).meanLoss();
        i++;
      }
      table.put(layer, units);
    }
    err.printf(
        "dataset passes (selectivity, percentiles, ablation of %d units) over %d %s images: %s%n",
        table.values().stream().mapToInt(Map::size).sum(),
        images,
        data.name(),
        Progress.duration((System.nanoTime() - start) / 1e9));
    err.flush();
    return table;
  }

  /** How many of its top dataset images each unit's exemplar sheet shows. */
  static final int EXEMPLARS = 9;

  /**
   * The unit's top dataset images in OUT/exemplars/LAYER/unit_NNNN.png, each labelled with class
   * and response.
   */
  private void writeExemplars(String layer, int unit, UnitResponses r, Dataset data) {
    org.featviz.ir.Shape shape =
        org.featviz.ir.Shape.of(data.channels(), data.height(), data.width());
    org.featviz.report.ContactSheet sheet = new org.featviz.report.ContactSheet(shape, 3, 2);
    float[] responses = r.of(layer, unit);
    for (int i : r.topImages(layer, unit, EXEMPLARS)) {
      sheet.add(
          data.image(i),
          data.className(data.label(i)),
          String.format(Locale.ROOT, "%.3g", responses[i]));
    }
    sheet.write(
        out.resolve("exemplars")
            .resolve(layer.replaceAll("[^A-Za-z0-9._-]", "_"))
            .resolve(String.format(Locale.ROOT, "unit_%04d.png", unit)));
  }

  /** One unit's row of units.csv, filled in as the passes and renders finish. */
  private static final class Measures {
    final String layer;
    final int unit;
    final double selectivity;
    final String preferredClass;
    final UnitResponses responses;
    double accuracyDrop;
    double lossIncrease;
    final Map<String, UnitResult> rendered = new LinkedHashMap<>();

    Measures(
        String layer,
        int unit,
        double selectivity,
        String preferredClass,
        UnitResponses responses) {
      this.layer = layer;
      this.unit = unit;
      this.selectivity = selectivity;
      this.preferredClass = preferredClass;
      this.responses = responses;
    }

    void rendered(String kind, UnitResult r) {
      rendered.put(kind, r);
    }

    double rs(String kind) {
      UnitResult r = rendered.get(kind);
      return r == null || r.rs() == null ? Double.NaN : r.rs();
    }

    String cells(List<String> kinds) {
      List<String> c =
          new ArrayList<>(List.of(layer, Integer.toString(unit), num(selectivity), preferredClass));
      for (String k : kinds) {
        UnitResult r = rendered.get(k);
        c.add(num(rs(k)));
        c.add(r == null || r.rsTies() == null ? "" : Integer.toString(r.rsTies()));
        c.add(r == null ? "" : num(r.activation()));
        c.add(r == null ? "" : num(responses.percentile(layer, unit, r.activation())));
        c.add(r == null ? "" : r.status());
      }
      c.add(num(accuracyDrop));
      c.add(num(lossIncrease));
      return String.join(",", c);
    }
  }

  private void write(Map<String, Map<Integer, Measures>> table, PrintWriter pw) {
    List<String> header =
        new ArrayList<>(List.of("layer", "unit", "selectivity", "preferred_class"));
    for (String k : objectives) {
      header.addAll(
          List.of(
              "rs_" + k, "rs_" + k + "_ties", "activation_" + k, "percentile_" + k, "status_" + k));
    }
    header.addAll(List.of("ablation_accuracy_drop", "ablation_loss_increase"));
    List<String> unitLines = new ArrayList<>(List.of(String.join(",", header)));
    List<String> layerLines =
        new ArrayList<>(List.of("layer,units,x,y,rho,p_value,ci_low,ci_high"));
    for (Map<Integer, Measures> units : table.values()) {
      List<Measures> rows = new ArrayList<>(units.values());
      for (Measures u : rows) unitLines.add(u.cells(objectives));
      Map<String, double[]> columns = new LinkedHashMap<>();
      for (String k : objectives)
        columns.put("rs_" + k, rows.stream().mapToDouble(u -> u.rs(k)).toArray());
      columns.put("selectivity", rows.stream().mapToDouble(u -> u.selectivity).toArray());
      columns.put(
          "ablation_accuracy_drop", rows.stream().mapToDouble(u -> u.accuracyDrop).toArray());
      String layer = rows.get(0).layer;
      List<String> keys = new ArrayList<>(columns.keySet());
      for (int a = 0; a < keys.size(); a++) {
        for (int b = a + 1; b < keys.size(); b++) {
          double[] x = columns.get(keys.get(a));
          double[] y = columns.get(keys.get(b));
          String stats;
          try {
            Spearman.Result s = Spearman.test(x, y, PERMUTATIONS, RESAMPLES, 0);
            stats = num(s.rho()) + "," + num(s.pValue()) + "," + num(s.low()) + "," + num(s.high());
            pw.printf(
                "%s: rho(%s, %s) = %s (p %s, 95%% %s..%s)%n",
                layer,
                keys.get(a),
                keys.get(b),
                fmt(s.rho()),
                fmt(s.pValue()),
                fmt(s.low()),
                fmt(s.high()));
          } catch (IllegalArgumentException e) {
            stats = ",,,"; // a unit without a value (a diverged image): no rho for this pair
          }
          layerLines.add(
              layer + "," + rows.size() + "," + keys.get(a) + "," + keys.get(b) + "," + stats);
        }
      }
    }
    try {
      Files.write(out.resolve("units.csv"), unitLines);
      Files.write(out.resolve("layers.csv"), layerLines);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the analysis in " + out, e);
    }
    pw.printf(
        "units in %s, layer statistics in %s%n",
        out.resolve("units.csv"), out.resolve("layers.csv"));
  }

  /**
   * Cumulative ablation curves (Morcos et al.): per layer and order, accuracy and loss as the first
   * 0%, 10%, ..., 100% of the selected units in that order are set to 0; the area under each
   * accuracy curve (trapezoids over the fraction). Orders: random (seeds 0, 1, 2), selectivity high
   * and low first, and RS high and low first for each rendered kind (ties keep unit order).
   */
  private void cumulative(Model m, Map<String, Map<Integer, Measures>> table, PrintWriter pw) {
    List<String> rows =
        new ArrayList<>(List.of("layer,order,fraction,units_ablated,accuracy,mean_loss"));
    List<String> areas = new ArrayList<>(List.of("layer,order,auc"));
    for (Map<Integer, Measures> units : table.values()) {
      List<Measures> list = new ArrayList<>(units.values());
      String layer = list.get(0).layer;
      Map<String, int[]> orders = new LinkedHashMap<>();
      for (long seed = 0; seed < 3; seed++) {
        List<Measures> shuffled = new ArrayList<>(list);
        java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
        orders.put("random_" + seed, shuffled.stream().mapToInt(u -> u.unit).toArray());
      }
      Map<String, java.util.function.ToDoubleFunction<Measures>> keys = new LinkedHashMap<>();
      keys.put("selectivity", u -> u.selectivity);
      for (String k : objectives) keys.put("rs_" + k, u -> u.rs(k));
      for (Map.Entry<String, java.util.function.ToDoubleFunction<Measures>> e : keys.entrySet()) {
        java.util.Comparator<Measures> low = java.util.Comparator.comparingDouble(e.getValue());
        orders.put(
            e.getKey() + "_low_first", list.stream().sorted(low).mapToInt(u -> u.unit).toArray());
        orders.put(
            e.getKey() + "_high_first",
            list.stream().sorted(low.reversed()).mapToInt(u -> u.unit).toArray());
      }
      for (Map.Entry<String, int[]> o : orders.entrySet()) {
        List<int[]> sets = Ablation.cumulative(o.getValue(), FRACTIONS);
        List<Ablation.Score> scores =
            Ablation.run(
                analysisGraph,
                layer,
                sets,
                analysisData,
                m.normalization(),
                Ablation.Replacement.ZERO,
                null,
                images,
                256,
                n -> {});
        double auc = 0;
        for (int i = 0; i < FRACTIONS.length; i++) {
          rows.add(
              layer
                  + ","
                  + o.getKey()
                  + ","
                  + FRACTIONS[i]
                  + ","
                  + sets.get(i).length
                  + ","
                  + scores.get(i).accuracy()
                  + ","
                  + scores.get(i).meanLoss());
          if (i > 0) {
            auc +=
                (FRACTIONS[i] - FRACTIONS[i - 1])
                    * (scores.get(i).accuracy() + scores.get(i - 1).accuracy())
                    / 2;
          }
        }
        areas.add(layer + "," + o.getKey() + "," + auc);
        pw.printf("%s: ablation curve %s, area %s%n", layer, o.getKey(), fmt(auc));
      }
    }
    try {
      Files.write(out.resolve("ablation.csv"), rows);
      Files.write(out.resolve("ablation_auc.csv"), areas);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ablation curves in " + out, e);
    }
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3g", v);
  }
}
