package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.featviz.Model;
import org.featviz.analysis.ClassSelectivity;
import org.featviz.analyze.AblationArea;
import org.featviz.analyze.AnalysisListener;
import org.featviz.analyze.AnalysisOptions;
import org.featviz.analyze.AnalysisStage;
import org.featviz.analyze.ImageObjective;
import org.featviz.analyze.LayerRow;
import org.featviz.analyze.NegativeActivationsException;
import org.featviz.analyze.UnitAnalysis;
import org.featviz.backend.Backend;
import org.featviz.backend.DeviceSet;
import org.featviz.data.Dataset;
import org.featviz.eval.Ablation;
import org.featviz.ir.ModelException;
import org.featviz.render.RenderOptions;
import org.featviz.render.UnitObjective;
import org.featviz.sweep.ChunkRunner;
import org.featviz.sweep.Sweep;
import org.featviz.sweep.SweepChunk;
import org.featviz.sweep.UnitResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code featviz analyze}: the command line of {@link UnitAnalysis} (for every selected unit, how
 * replaceable it is, how selective for one class, how much accuracy its ablation costs, and how
 * these relate per layer). Checks the flags, runs the analysis and prints what it tells.
 */
@Command(
    name = "analyze",
    description =
        "Per unit: RS on its AM and IAM images, class selectivity, dataset percentile and single-unit ablation;"
            + " per layer: Spearman's rho between them. Writes units.csv, layers.csv, plots/ and report.html (one"
            + " self-contained page); the renders resume. --devices shares the renders over several"
            + " devices; the dataset passes run on the first.")
final class AnalyzeCommand extends FeatvizCommand {
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

  @Mixin DataDirOption dataDir;

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

  @Option(
      names = "--ablation-replace",
      defaultValue = "zero",
      description =
          "what an ablated unit becomes: zero (default) or mean (its mean over the --images images and,"
              + " for a channel, its positions)")
  String ablationReplace;

  @Option(
      names = "--rs-every",
      defaultValue = "" + RenderOptions.DEFAULT_RS_EVERY,
      description =
          "record each render's RS every N steps in the sweeps' results.csv (default 16; 0: only the"
              + " final RS)")
  int rsEvery;

  @Option(names = "--out", required = true, description = "output folder")
  Path out;

  @Mixin RenderOptionsMixin render;

  @Mixin DevicesOption devices;

  /** Who renders each kind's chunks (a cluster: see {@link AnalyzeJob}), or null: the workers. */
  private final Function<ImageObjective, ChunkRunner> cluster;

  AnalyzeCommand() {
    this(null);
  }

  AnalyzeCommand(Function<ImageObjective, ChunkRunner> cluster) {
    this.cluster = cluster;
  }

  /** The kinds --objectives names, in its order. */
  private List<ImageObjective> kinds() {
    List<ImageObjective> kinds = new ArrayList<>();
    for (String o : objectives) {
      switch (o) {
        case "am" -> kinds.add(ImageObjective.AM);
        case "iam" -> kinds.add(ImageObjective.IAM);
        default ->
            throw new ModelException(
                "--objectives " + String.join(",", objectives) + ": expected am, iam or both");
      }
    }
    return kinds;
  }

  /** The render settings of this analysis's sweeps on {@code m}. */
  private RenderOptions renderOptions(Model m, PrintWriter err) {
    return render.options(m.imageShape(), err).withRsEvery(rsEvery);
  }

  /**
   * Renders one chunk of this analysis's {@code kind} sweep on {@code device} ("cpu", or a GPU's
   * CUDA ordinal), writing its images under {@code folder}: what a cluster task does ({@link
   * AnalyzeJob#renderChunk}). The same images as the local command's for the same chunk.
   */
  List<UnitResult> renderChunk(ImageObjective kind, SweepChunk chunk, String device, Path folder) {
    boolean gpu = device.chars().allMatch(Character::isDigit);
    render.device = gpu ? "gpu" : device;
    DeviceSet on = gpu ? new DeviceSet(Backend.GPU, List.of(Integer.parseInt(device))) : null;
    List<Model> models = render.openOn(model, on);
    try (WorkerModels all = new WorkerModels(models)) {
      Model m = models.get(0);
      PrintWriter quiet = new PrintWriter(java.io.Writer.nullWriter());
      RenderOptions options = renderOptions(m, quiet).resolvedFor(m.imageShape());
      UnitObjective objective = (layer, unit, count, seed) -> kind.of(layer, unit);
      return Sweep.renderChunk(
          m, chunk, objective, options, render.upscaleFor(m.imageShape()), folder, step -> {});
    }
  }

  @Override
  public Integer call() {
    PrintWriter pw = stdout();
    PrintWriter err = stderr();
    List<ImageObjective> kinds = kinds();
    if (cluster != null && devices.devices != null) {
      throw new ModelException(
          "a cluster analysis renders on the cluster's tasks (a GPU each where"
              + " spark.task.resource.gpu.amount is set, else the CPU): leave out --devices"
              + " (--device chooses where the driver's dataset passes and ablations run)");
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
    Ablation.Replacement replacement =
        switch (ablationReplace) {
          case "zero" -> Ablation.Replacement.ZERO;
          case "mean" -> Ablation.Replacement.MEAN;
          default ->
              throw new ModelException(
                  "--ablation-replace " + ablationReplace + ": expected zero or mean");
        };
    if (rsEvery < 0)
      throw new ModelException("--rs-every " + rsEvery + ": must be 0 (only the final RS) or more");
    if (images < 1) throw new ModelException("--images " + images + ": must be at least 1");
    if (batch < 1) throw new ModelException("--batch " + batch + ": must be at least 1");
    render.validate();
    DeviceSet on = devices.parse(render.device); // bad --devices fail before any work
    OutputFolder.prepare("--out", out);
    Dataset data = dataDir.testSplit();
    if (images > data.size())
      throw new ModelException("--images " + images + ": the test split has " + data.size());
    List<Model> workers = render.openOn(model, on);
    try (WorkerModels all = new WorkerModels(workers)) {
      Model m = workers.get(0);
      RenderOptions renderOptions = renderOptions(m, err);
      AnalysisOptions options =
          AnalysisOptions.builder(layers, out)
              .optUnits(units)
              .optObjectives(kinds)
              .optImages(images)
              .optNegatives(policy)
              .optCumulativeAblation(ablation.contains("cumulative"))
              .optAblationReplacement(replacement)
              .optBatch(batch)
              .optRender(renderOptions)
              .optUpscale(render.upscaleFor(m.imageShape()))
              .build();
      try (Reporter reporter = new Reporter(pw, err, renderOptions.steps())) {
        UnitAnalysis.run(workers, data, options, reporter, cluster);
        reporter.printTimes();
      } catch (NegativeActivationsException e) {
        throw new ModelException(
            "layer '"
                + e.layer()
                + "' unit "
                + e.unit()
                + ": "
                + e.reason()
                + " (--negatives clamp takes them as 0; or analyze the layer after its ReLU)");
      }
    }
    return 0;
  }

  /**
   * What an analysis tells its user: the stages, each sweep's progress and summary, the numbers.
   */
  private static final class Reporter implements AnalysisListener, AutoCloseable {
    private final PrintWriter out;
    private final PrintWriter err;
    private final int steps;
    private SweepProgress sweep;
    private final java.util.EnumMap<AnalysisStage, Double> times =
        new java.util.EnumMap<>(AnalysisStage.class);
    private int units;

    Reporter(PrintWriter out, PrintWriter err, int steps) {
      this.out = out;
      this.err = err;
      this.steps = steps;
    }

    @Override
    public void evaluatedOn(String where) {
      err.printf("dataset passes and ablations on %s%n", where);
      err.flush();
    }

    @Override
    public void datasetPassesDone(int units, int images, String dataset, double seconds) {
      this.units = units;
      err.printf(
          "dataset passes (selectivity, percentiles, ablation of %d units) over %d %s images: %s%n",
          units, images, dataset, Progress.duration(seconds));
      err.flush();
    }

    @Override
    public void timed(AnalysisStage stage, double seconds) {
      times.merge(stage, seconds, Double::sum);
    }

    /** One line with each stage's wall time and share, and the time per unit: what bench/ reads. */
    void printTimes() {
      double total = times.values().stream().mapToDouble(Double::doubleValue).sum();
      StringBuilder line = new StringBuilder("time:");
      for (var e : times.entrySet()) {
        line.append(
            String.format(
                Locale.ROOT,
                " %s %.1f s (%.0f%%),",
                e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                e.getValue(),
                total > 0 ? 100 * e.getValue() / total : 0));
      }
      line.append(
          String.format(
              Locale.ROOT, " %.2f s per unit over %d units", units > 0 ? total / units : 0, units));
      out.println(line);
    }

    @Override
    public Sweep.Listener rendering(ImageObjective kind, List<String> layers, Path folder) {
      out.printf("%s images of %s in %s%n", kind.name(), layers, folder);
      sweep = new SweepProgress(out, err, folder, steps);
      return sweep;
    }

    @Override
    public void rendered(ImageObjective kind, List<String> layers, List<UnitResult> results) {
      sweep.close();
      out.println(sweep.summary(results, layers));
      sweep = null;
    }

    @Override
    public void correlation(LayerRow r) {
      if (Double.isNaN(r.rho()) && Double.isNaN(r.ciLow())) return; // a unit without a value
      out.printf(
          "%s: rho(%s, %s) = %s (p %s, 95%% %s..%s)%n",
          r.layer(), r.x(), r.y(), fmt(r.rho()), fmt(r.pValue()), fmt(r.ciLow()), fmt(r.ciHigh()));
    }

    @Override
    public void tablesWritten(Path units, Path layers) {
      out.printf("units in %s, layer statistics in %s%n", units, layers);
    }

    @Override
    public void ablationCurve(AblationArea a) {
      out.printf("%s: ablation curve %s, area %s%n", a.layer(), a.order(), fmt(a.auc()));
    }

    @Override
    public void plotsWritten(Path folder) {
      out.printf("plots in %s%n", folder);
    }

    @Override
    public void reportWritten(Path file) {
      out.printf("report in %s%n", file);
    }

    @Override
    public void close() {
      if (sweep != null) sweep.close(); // a sweep that failed: its progress bar ends here
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3g", v);
  }
}
