package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.featviz.Model;
import org.featviz.backend.DeviceSet;
import org.featviz.ir.ModelException;
import org.featviz.render.RenderOptions;
import org.featviz.render.UnitObjective;
import org.featviz.sweep.ChunkRunner;
import org.featviz.sweep.Sweep;
import org.featviz.sweep.SweepChunk;
import org.featviz.sweep.UnitResult;
import org.featviz.sweep.UnitSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code featviz sweep}: every selected unit of some layers, in chunks, resumable. */
@Command(
    name = "sweep",
    description =
        "Visualize all (or selected) units of layers in batches; results are written"
            + " as each batch finishes and an interrupted sweep resumes where it stopped."
            + " --devices shares the batches over several GPUs (or emulated or CPU workers).")
final class SweepCommand extends FeatvizCommand {
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

  @Mixin DevicesOption devices;

  @Mixin ObjectiveOptionsMixin terms;

  /** Renders the chunks where a cluster does (SweepJob); null: this process's workers. */
  private final ChunkRunner cluster;

  SweepCommand() {
    this(null);
  }

  SweepCommand(ChunkRunner cluster) {
    this.cluster = cluster;
  }

  /**
   * One chunk of the sweep these options describe, rendered on {@code device} ("cpu", or a GPU's
   * ordinal), its images under {@code folder}: what a cluster's task does.
   */
  List<UnitResult> renderChunk(SweepChunk chunk, String device, Path folder) {
    ObjectiveSpec kind = ObjectiveSpec.parse(objective);
    boolean gpu = device.chars().allMatch(Character::isDigit);
    render.device = gpu ? "gpu" : device;
    DeviceSet on =
        gpu
            ? new DeviceSet(org.featviz.backend.Backend.GPU, List.of(Integer.parseInt(device)))
            : null;
    List<Model> models = render.openOn(model, on);
    try (WorkerModels all = new WorkerModels(models)) {
      Model m = models.get(0);
      PrintWriter quiet = new PrintWriter(java.io.Writer.nullWriter());
      RenderOptions options = render.options(m.imageShape(), quiet).resolvedFor(m.imageShape());
      UnitObjective objectives = terms.objectives(m, kind, quiet);
      objectives.prepare(chunk.layers());
      return Sweep.renderChunk(
          m, chunk, objectives, options, render.upscaleFor(m.imageShape()), folder, step -> {});
    }
  }

  @Override
  public Integer call() {
    PrintWriter pw = stdout();
    ObjectiveSpec kind = ObjectiveSpec.parse(objective);
    render.validate();
    terms.penalties(); // bad --penalty values fail before the model is opened
    if (cluster != null) {
      if (devices.devices != null || !"auto".equals(render.device))
        throw new ModelException(
            "a cluster sweep takes its devices from the cluster (a GPU per task where"
                + " spark.task.resource.gpu.amount is set, else the CPU): leave out --device and"
                + " --devices");
      render.device = "cpu"; // the driver only plans: it resolves layers and units
    }
    DeviceSet on = devices.parse(render.device); // bad --devices fail before any work
    OutputFolder.prepare("--out", out);
    List<Model> workers = render.openOn(model, on);
    try (WorkerModels all = new WorkerModels(workers)) {
      Model m = workers.get(0);
      RenderOptions options = render.options(m.imageShape(), stderr());
      int upscale = render.upscaleFor(m.imageShape());
      String settings = terms.settingsText(m, objective, kind);
      UnitObjective objectives = terms.objectives(m, kind, stderr());
      List<UnitResult> results;
      try (SweepProgress progress = new SweepProgress(pw, stderr(), out, options.steps())) {
        results =
            Sweep.run(
                workers,
                layers,
                new UnitSelection(units),
                objectives,
                settings,
                batch,
                options,
                upscale,
                out,
                progress,
                cluster);
        progress.close();
        List<String> swept = layers.stream().map(m.graph()::resolveLayer).distinct().toList();
        pw.println(progress.summary(results, swept));
      }
    }
    return 0;
  }
}
