package org.featviz.analyze;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.featviz.Model;
import org.featviz.analysis.Spearman;
import org.featviz.data.Dataset;
import org.featviz.ir.ModelException;
import org.featviz.render.UnitObjective;
import org.featviz.sweep.ChunkRunner;
import org.featviz.sweep.Sweep;
import org.featviz.sweep.UnitResult;
import org.featviz.sweep.UnitSelection;

/**
 * The unit analysis of {@code featviz analyze}, as a library call: for every selected unit of some
 * layers, how replaceable it is (Representative Substitution on its AM and IAM images), how
 * selective for one class, how much accuracy its ablation costs; per layer, how these relate
 * (Spearman's rho); optionally the cumulative ablation curves. The dataset passes run first (the
 * responses pass and the ablations on the model's device where it has one, in FP32, else on the CPU
 * backend; {@link AnalysisResult#evaluatedOn} says which), so that a layer the measures do not fit
 * is refused before any render; the renders are sweeps (resumable, in OUT/am and OUT/iam). Writes
 * units.csv, layers.csv, and with cumulative ablation ablation.csv and ablation_auc.csv, and
 * returns the same tables as records; then draws the plots ({@link AnalysisPlots}, OUT/plots) and
 * writes the page that shows it all ({@link AnalysisReport}, OUT/report.html).
 *
 * <pre>{@code
 * try (Model model = Model.builder(Path.of("models/fashion-cnn.onnx")).open()) {
 *   AnalysisResult r = UnitAnalysis.run(model, FashionMnist.load(FashionMnist.Split.TEST),
 *       AnalysisOptions.builder(List.of("relu2"), Path.of("out/analysis")).optUnits("0-7").build(),
 *       new AnalysisListener() {});
 *   for (UnitRow u : r.units()) System.out.println(u.unit() + ": " + u.rs(ImageObjective.AM));
 * }
 * }</pre>
 */
public final class UnitAnalysis {
  private UnitAnalysis() {}

  /** The fractions of a layer's selected units a cumulative curve ablates. */
  static final double[] FRACTIONS = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};

  /** Permutations and bootstrap resamples of each rho in layers.csv. */
  public static final int PERMUTATIONS = 10_000;

  public static final int RESAMPLES = 2_000;

  /** How many of its top dataset images each unit's exemplar sheet shows. */
  public static final int EXEMPLARS = DatasetMeasures.EXEMPLARS;

  /**
   * Analyzes {@code model} (a classifier whose first output is the class scores) on the labelled
   * {@code data}, as {@code options} say, writing into {@code options.out()}; {@code listener} is
   * told each stage.
   *
   * @throws NegativeActivationsException where selectivity meets a negative class mean and {@link
   *     org.featviz.analysis.ClassSelectivity.Negatives#REFUSE} is chosen
   * @throws ModelException for a layer or unit the model lacks, a layer with fewer than 2 selected
   *     units, or more images than the dataset has
   */
  public static AnalysisResult run(
      Model model, Dataset data, AnalysisOptions options, AnalysisListener listener) {
    return run(List.of(model), data, options, listener);
  }

  /**
   * {@link #run(Model, Dataset, AnalysisOptions, AnalysisListener)} with its renders shared over
   * several models, one worker each (the models of one file, opened alike but for the device: see
   * {@link Sweep#run(List, List, UnitSelection, org.featviz.render.UnitObjective, String, int,
   * org.featviz.render.RenderOptions, int, Path, Sweep.Listener)}); the dataset passes run on the
   * first.
   */
  public static AnalysisResult run(
      List<Model> models, Dataset data, AnalysisOptions options, AnalysisListener listener) {
    return run(models, data, options, listener, null);
  }

  /**
   * {@link #run(List, Dataset, AnalysisOptions, AnalysisListener)} with each kind's renders given
   * to the chunk runner {@code renderers} names for it (a cluster's, say; null, or a null runner:
   * the models' threads). The dataset passes and ablations stay on the first model.
   */
  public static AnalysisResult run(
      List<Model> models,
      Dataset data,
      AnalysisOptions options,
      AnalysisListener listener,
      Function<ImageObjective, ChunkRunner> renderers) {
    if (models.isEmpty()) throw new IllegalArgumentException("an analysis needs a model");
    Model model = models.get(0);
    if (options.images() > data.size()) {
      throw new ModelException(
          options.images() + " images asked for, " + data.name() + " has " + data.size());
    }
    Path out = options.out();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out, e);
    }
    List<String> names =
        options.layers().stream().map(model.graph()::resolveLayer).distinct().toList();
    UnitSelection selection = new UnitSelection(options.units());
    Map<String, List<Integer>> selected = new LinkedHashMap<>();
    for (String l : names) {
      List<Integer> u = selection.resolve(l, model.units(l));
      if (u.size() < 2) {
        throw new ModelException(
            "layer '" + l + "': a per-layer correlation needs at least 2 units, got " + u.size());
      }
      selected.put(l, u);
    }
    String evaluatedOn = DatasetMeasures.evaluatedOn(model);
    listener.evaluatedOn(evaluatedOn);
    long start = System.nanoTime();
    try (DatasetMeasures measures =
        DatasetMeasures.run(
            model,
            data,
            options.images(),
            selected,
            options.negatives(),
            options.replacement(),
            out)) {
      listener.timed(AnalysisStage.DATASET_PASS, measures.passSeconds);
      listener.timed(AnalysisStage.SINGLE_ABLATION, measures.ablationSeconds);
      listener.datasetPassesDone(
          selected.values().stream().mapToInt(List::size).sum(),
          options.images(),
          measures.data.name(),
          (System.nanoTime() - start) / 1e9);

      Map<ImageObjective, Map<String, UnitResult>> rendered = new EnumMap<>(ImageObjective.class);
      int upscale = options.upscaleFor(model.imageShape().dim(2));
      for (ImageObjective kind : options.objectives()) {
        UnitObjective objective = (layer, unit, count, seed) -> kind.of(layer, unit);
        Path folder = out.resolve(kind.key());
        long renderStart = System.nanoTime();
        List<UnitResult> rows =
            Sweep.run(
                models,
                names,
                selection,
                objective,
                kind.key(),
                options.batch(),
                options.render(),
                upscale,
                folder,
                listener.rendering(kind, names, folder),
                renderers == null ? null : renderers.apply(kind));
        listener.timed(AnalysisStage.RENDERS, (System.nanoTime() - renderStart) / 1e9);
        listener.rendered(kind, names, rows);
        Map<String, UnitResult> byUnit = new LinkedHashMap<>();
        for (UnitResult r : rows) byUnit.put(r.key(), r);
        rendered.put(kind, byUnit);
      }

      List<UnitRow> units = new ArrayList<>();
      for (List<DatasetMeasures.Unit> layer : measures.units.values()) {
        for (DatasetMeasures.Unit u : layer) units.add(row(u, options, rendered, measures));
      }
      List<LayerRow> layers = new ArrayList<>();
      for (String layer : selected.keySet()) {
        for (LayerRow row : correlations(layer, units, options.objectives())) {
          listener.correlation(row);
          layers.add(row);
        }
      }
      AnalysisResult result =
          new AnalysisResult(
              options.objectives(), units, layers, List.of(), List.of(), evaluatedOn);
      AnalysisTables.writeUnitsAndLayers(out, result);
      listener.tablesWritten(out.resolve(AnalysisTables.UNITS), out.resolve(AnalysisTables.LAYERS));
      if (options.cumulativeAblation()) {
        long curvesStart = System.nanoTime();
        CumulativeAblation curves =
            CumulativeAblation.run(model, measures, result, options.images(), listener);
        listener.timed(AnalysisStage.CUMULATIVE_ABLATION, (System.nanoTime() - curvesStart) / 1e9);
        result =
            new AnalysisResult(
                options.objectives(), units, layers, curves.points(), curves.areas(), evaluatedOn);
        AnalysisTables.writeAblation(out, result);
      }
      List<AnalysisPlots.Plot> plots = AnalysisPlots.write(result, out);
      listener.plotsWritten(out.resolve(AnalysisPlots.FOLDER));
      listener.reportWritten(AnalysisReport.write(result, plots, out));
      return result;
    }
  }

  /** A unit's row: its dataset measures and its renders' (those the sweeps hold). */
  private static UnitRow row(
      DatasetMeasures.Unit u,
      AnalysisOptions options,
      Map<ImageObjective, Map<String, UnitResult>> rendered,
      DatasetMeasures measures) {
    Map<ImageObjective, UnitImage> images = new EnumMap<>(ImageObjective.class);
    for (ImageObjective kind : options.objectives()) {
      UnitResult r = rendered.get(kind).get(u.layer() + "#" + u.unit());
      if (r == null) continue;
      images.put(
          kind,
          new UnitImage(
              r.rs() == null ? Double.NaN : r.rs(),
              r.rsTies(),
              r.activation(),
              measures.responses.percentile(u.layer(), u.unit(), r.activation()),
              r.status(),
              kind.key() + "/" + r.image()));
    }
    return new UnitRow(
        u.layer(),
        u.unit(),
        u.selectivity(),
        u.preferredClass(),
        images,
        u.accuracyDrop(),
        u.lossIncrease(),
        DatasetMeasures.exemplarPath(u.layer(), u.unit()));
  }

  /**
   * Spearman's rho between every pair of the layer's measures: RS per image objective, selectivity
   * and ablation importance; all NaN for a pair where a unit lacks a value (a diverged image).
   */
  private static List<LayerRow> correlations(
      String layer, List<UnitRow> all, List<ImageObjective> objectives) {
    List<UnitRow> rows = all.stream().filter(u -> u.layer().equals(layer)).toList();
    Map<String, double[]> columns = new LinkedHashMap<>();
    for (ImageObjective k : objectives)
      columns.put("rs_" + k.key(), rows.stream().mapToDouble(u -> u.rs(k)).toArray());
    columns.put("selectivity", rows.stream().mapToDouble(UnitRow::selectivity).toArray());
    columns.put(
        "ablation_accuracy_drop",
        rows.stream().mapToDouble(UnitRow::ablationAccuracyDrop).toArray());
    List<String> keys = new ArrayList<>(columns.keySet());
    List<LayerRow> out = new ArrayList<>();
    for (int a = 0; a < keys.size(); a++) {
      for (int b = a + 1; b < keys.size(); b++) {
        double[] x = columns.get(keys.get(a));
        double[] y = columns.get(keys.get(b));
        double nan = Double.NaN;
        LayerRow row;
        try {
          Spearman.Result s = Spearman.test(x, y, PERMUTATIONS, RESAMPLES, 0);
          row =
              new LayerRow(
                  layer,
                  rows.size(),
                  keys.get(a),
                  keys.get(b),
                  s.rho(),
                  s.pValue(),
                  s.low(),
                  s.high());
        } catch (IllegalArgumentException e) {
          row = new LayerRow(layer, rows.size(), keys.get(a), keys.get(b), nan, nan, nan, nan);
        }
        out.add(row);
      }
    }
    return out;
  }
}
