package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.featviz.Model;
import org.featviz.render.RenderOptions;
import org.featviz.render.UnitObjective;
import org.featviz.sweep.Sweep;
import org.featviz.sweep.UnitResult;
import org.featviz.sweep.UnitSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code featviz sweep}: every selected unit of some layers, in chunks, resumable. */
@Command(
    name = "sweep",
    description =
        "Visualize all (or selected) units of layers in batches; results are written"
            + " as each batch finishes and an interrupted sweep resumes where it stopped.")
final class SweepCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "ONNX model")
  Path model;

  @Option(
      names = {"--layers", "--layer"},
      required = true,
      split = ",",
      description = "layer names, comma-separated")
  List<String> layers;

  @Option(
      names = {"--units", "--unit"},
      defaultValue = "all",
      description = "all (default), a-b, or a list")
  String units;

  @Option(
      names = "--objective",
      defaultValue = "channel",
      description = "as for render (default channel)")
  String objective;

  @Option(
      names = "--batch",
      defaultValue = "64",
      description = "units per optimization launch (default 64)")
  int batch;

  @Option(names = "--out", required = true, description = "output folder")
  Path out;

  @Mixin RenderOptionsMixin render;

  @Mixin ObjectiveOptionsMixin terms;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter pw = spec.commandLine().getOut();
    ObjectiveSpec kind = ObjectiveSpec.parse(objective);
    render.validate();
    terms.penalties(); // bad --penalty values fail before the model is opened
    OutputFolder.prepare("--out", out);
    try (Model m = render.open(model)) {
      RenderOptions options = render.options(m.imageShape(), spec.commandLine().getErr());
      int upscale = render.upscaleFor(m.imageShape());
      Progress[] bar = new Progress[1];
      long[] unitSteps = new long[2]; // done before this chunk, units of this chunk
      int[] before = new int[1]; // units done by earlier runs
      long start = System.nanoTime();
      String settings = terms.settingsText(m, objective, kind);
      UnitObjective objectives = terms.objectives(m, kind, spec.commandLine().getErr());
      List<UnitResult> results =
          Sweep.run(
              m,
              layers,
              new UnitSelection(units),
              objectives,
              settings,
              batch,
              options,
              upscale,
              out,
              new Sweep.Listener() {
                @Override
                public void imagesMissing(int n) {
                  pw.printf(
                      n == 1
                          ? "1 unit's image is missing in %2$s: it is done again%n"
                          : "%d units' images are missing in %s: they are done again%n",
                      n,
                      out);
                }

                @Override
                public void started(int total, int alreadyDone) {
                  before[0] = alreadyDone;
                  if (alreadyDone > 0)
                    pw.printf(
                        "resuming: %d of %d units already done in %s%n", alreadyDone, total, out);
                  pw.flush();
                  // Per optimization step of each unit: a chunk of 64 units of 256 steps is long.
                  bar[0] =
                      new Progress(
                          "sweep",
                          (long) (total - alreadyDone) * options.steps(),
                          "unit steps",
                          spec.commandLine().getErr());
                }

                @Override
                public void chunkStarted(int n) {
                  unitSteps[1] = n;
                }

                @Override
                public void step(int step, int steps) {
                  bar[0].to(unitSteps[0] + step * unitSteps[1]);
                }

                @Override
                public void chunkDone(int n) {
                  unitSteps[0] += (long) n * options.steps();
                  bar[0].to(unitSteps[0]);
                }
              });
      if (bar[0] != null) bar[0].close();
      long dead = results.stream().filter(r -> r.status().equals("dead")).count();
      long nan = results.stream().filter(r -> r.status().equals("nan")).count();
      String time = Progress.duration((System.nanoTime() - start) / 1e9);
      String run =
          before[0] == 0
              ? " in " + time
              : before[0] == results.size()
                  ? " (all from before)"
                  : String.format(
                      " (%d done in %s this run, %d from before)",
                      results.size() - before[0], time, before[0]);
      List<String> swept = layers.stream().map(m.graph()::resolveLayer).distinct().toList();
      pw.printf(
          "%d units in %s%s; %d dead, %d diverged; results in %s%n",
          results.size(), swept, run, dead, nan, out.resolve("results.csv"));
    }
    return 0;
  }
}
