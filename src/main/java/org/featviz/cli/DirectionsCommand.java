package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import org.featviz.Model;
import org.featviz.data.Dataset;
import org.featviz.directions.Comparison;
import org.featviz.directions.DirectionListener;
import org.featviz.directions.DirectionOptions;
import org.featviz.directions.DirectionRow;
import org.featviz.directions.DirectionStudy;
import org.featviz.ir.ModelException;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderProgress;
import org.featviz.sweep.UnitSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code featviz directions}: the command line of {@link DirectionStudy}. */
@Command(
    name = "directions",
    description =
        "Basis versus random directions of a layer: k of each rendered alike in one batch, measured"
            + " and compared (Mann-Whitney U). Writes directions.csv, summary.json, side_by_side_LAYER.png"
            + " and plots/.")
final class DirectionsCommand extends FeatvizCommand {
  @Option(names = "--model", required = true, description = "ONNX model")
  Path model;

  @Option(
      names = {"--layer", "--layers"},
      required = true,
      split = ",",
      description = "layer(s), comma-separated")
  List<String> layers;

  @Option(names = "--count", description = "k, directions per population (at least 2)")
  Integer count;

  @Option(names = "--units", description = "the basis directions' units (default 0..k-1)")
  String units;

  @Option(
      names = "--whitened",
      description = "draw the random directions in the layer's whitened space (needs --dataset)")
  boolean whitened;

  @Option(names = "--dataset", description = "fashion-mnist: percentiles, exemplars, selectivity")
  String dataset;

  @Option(
      names = "--dataset-images",
      defaultValue = "1000",
      description = "test images of the dataset (default 1000)")
  int images;

  @Mixin DataDirOption dataDir;

  @Option(names = "--out", required = true, description = "output folder")
  Path out;

  @Mixin RenderOptionsMixin render;

  @Override
  public Integer call() {
    PrintWriter pw = stdout();
    PrintWriter err = stderr();
    if (count == null && units == null) throw new ModelException("give --count k (or --units)");
    if (count != null && count < 2)
      throw new ModelException("--count " + count + ": must be at least 2");
    if (dataset != null && !dataset.equals("fashion-mnist"))
      throw new ModelException("--dataset " + dataset + ": expected fashion-mnist");
    if (whitened && dataset == null)
      throw new ModelException(
          "--whitened needs --dataset fashion-mnist to estimate the whitening");
    if (images < 1) throw new ModelException("--dataset-images " + images + ": must be at least 1");
    render.validate();
    OutputFolder.prepare("--out", out);
    Dataset data = dataset == null ? null : dataDir.testSplit();
    try (Model m = render.open(model)) {
      List<Integer> basis = null;
      int k = count == null ? -1 : count;
      for (String l : layers) {
        String name = m.graph().resolveLayer(l);
        int n = m.units(name);
        if (units != null) basis = new UnitSelection(units).resolve(name, n);
        if (k < 0) k = basis.size();
        if (basis != null && basis.size() != k)
          throw new ModelException(
              "--units " + units + " names " + basis.size() + " units; --count is " + k);
        if (k > n)
          throw new ModelException("--count " + k + ": layer '" + name + "' has " + n + " units");
      }
      if (k < 2) throw new ModelException("--units " + units + ": at least 2 units are needed");
      RenderOptions options = render.options(m.imageShape(), err);
      DirectionOptions o =
          DirectionOptions.builder(layers, k, out)
              .optUnits(basis)
              .optWhitened(whitened)
              .optImages(images)
              .optRender(options)
              .optUpscale(render.upscaleFor(m.imageShape()))
              .build();
      DirectionStudy.run(m, data, o, new Reporter(pw, err));
    }
    return 0;
  }

  /** Progress on standard error, the comparisons on standard output. */
  private static final class Reporter implements DirectionListener {
    private final PrintWriter out;
    private final PrintWriter err;
    private Progress progress;

    Reporter(PrintWriter out, PrintWriter err) {
      this.out = out;
      this.err = err;
    }

    private IntConsumer bar(String task, int total, String unit) {
      if (progress != null) progress.close();
      progress = new Progress(task, total, unit, err);
      return progress;
    }

    @Override
    public IntConsumer datasetPass(int images) {
      return bar("dataset", images, "images");
    }

    @Override
    public IntConsumer whitening(String layer, int images) {
      return bar("whitening " + layer, images, "images");
    }

    @Override
    public RenderProgress rendering(String layer, int images, int steps) {
      IntConsumer p = bar("directions " + layer + " (" + images + " images)", steps, "steps");
      return (done, total) -> p.accept(1);
    }

    @Override
    public void layerDone(String layer, List<DirectionRow> rows, List<Comparison> comparisons) {
      if (progress != null) progress.close();
      progress = null;
      for (Comparison c : comparisons) {
        out.printf(
            Locale.ROOT,
            "%s %s: median basis %.3g, random %.3g; U %.1f, p %.3g, rank-biserial %.2f%n",
            layer,
            c.measure().label(),
            c.basisMedian(),
            c.randomMedian(),
            c.u(),
            c.p(),
            c.rankBiserial());
      }
      out.flush();
    }

    @Override
    public void written(Path csv, Path summary, List<Path> pictures) {
      out.printf("directions in %s, comparison in %s, pictures %s%n", csv, summary, pictures);
    }
  }
}
