package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.featviz.backend.Backends;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.data.FashionMnist;
import org.featviz.device.MathMode;
import org.featviz.eval.Evaluation;
import org.featviz.eval.Evaluator;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.model.InputNormalization;
import org.featviz.onnx.OnnxImporter;
import org.featviz.passes.Prepare;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code featviz eval}: a classifier's accuracy and confusion matrix on a labelled split, with
 * featviz's engine.
 */
@Command(
    name = "eval",
    description =
        "Run a classifier over a dataset split; print accuracy, confusion matrix and time.")
final class EvalCommand extends FeatvizCommand {
  @Option(names = "--model", required = true, description = "ONNX classifier")
  Path model;

  @Option(
      names = "--dataset",
      defaultValue = "fashion-mnist",
      description = "dataset: fashion-mnist (default)")
  String dataset;

  @Option(names = "--split", defaultValue = "test", description = "test (default) or train")
  String split;

  @Option(
      names = "--data-dir",
      description =
          "folder with the IDX files (default: Debian's " + "/usr/share/datasets/fashion-mnist)")
  Path dataDir;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description =
          "backend: auto (default: the GPU where usable, else the CPU), cpu, gpu, emulated (slow)")
  String device;

  @Mixin MathOption math;

  @Option(
      names = "--batch",
      defaultValue = "256",
      description = "images per forward pass (default 256)")
  int batch;

  @Option(names = "--limit", description = "evaluate only the first N images")
  Integer limit;

  @Mixin InputShapeOption inputShape;

  @Override
  public Integer call() {
    MathMode mode = math.mode(MathMode.DEVICE_DEFAULT);
    if (!dataset.equals("fashion-mnist")) {
      throw new ModelException(
          "--dataset " + dataset + ": unknown dataset; featviz knows fashion-mnist");
    }
    FashionMnist.Split s =
        switch (split) {
          case "test" -> FashionMnist.Split.TEST;
          case "train" -> FashionMnist.Split.TRAIN;
          default -> throw new ModelException("--split " + split + ": expected test or train");
        };
    Dataset data = FashionMnist.load(dataDir != null ? dataDir : FashionMnist.defaultDir(), s);
    if (limit != null) {
      if (limit <= 0) throw new ModelException("--limit must be positive");
      data = data.slice(0, Math.min(limit, data.size()));
    }
    Graph imported = OnnxImporter.read(model);
    org.featviz.passes.InputShapes.requireOneImage(imported, inputShape.dims());
    Graph graph = Prepare.forRun(imported, inputShape.dims(), List.of());
    InputNormalization norm =
        InputNormalization.fromMetadata(imported.metadata(), model.toString());
    Evaluation e;
    String where;
    try (ForwardBackend backend = Backends.open(DeviceOption.parse(device), mode, graph);
        Progress progress = new Progress("eval", data.size(), "images", stderr())) {
      where = backend.describe();
      e = Evaluator.run(backend, graph, data, norm, batch, progress);
    }
    print(stdout(), data, norm, e, where);
    return 0;
  }

  private void print(
      PrintWriter out, Dataset data, InputNormalization norm, Evaluation e, String where) {
    out.printf(
        "model: %s%ndata: %s (%d images), input normalization %s%n",
        model, data.name(), e.total(), norm);
    out.printf("accuracy: %.2f%% (%d of %d)%n", 100 * e.accuracy(), e.correct(), e.total());
    if (e.nonFiniteImages() > 0) {
      String warning =
          String.format(
              "warning: %d of %d images got a NaN or infinite class score, so their"
                  + " predictions and this accuracy mean nothing: check the model's weights and the input normalization",
              e.nonFiniteImages(), e.total());
      out.println(warning);
      stderr().println("featviz: " + warning);
    }
    out.printf(
        "time: %s on the %s backend (%.0f images/s)%n%n",
        Progress.duration(e.seconds()), where, e.total() / Math.max(e.seconds(), 1e-9));
    out.println("confusion matrix (rows: true class, columns: predicted class)");
    int k = e.classNames().size();
    out.printf("%-14s", "");
    for (int c = 0; c < k; c++) out.printf("%6d", c);
    out.println();
    for (int r = 0; r < k; r++) {
      String name = r + " " + e.classNames().get(r);
      out.printf("%-14s", name.length() > 13 ? name.substring(0, 13) : name);
      for (int c = 0; c < k; c++) out.printf("%6d", e.confusion()[r][c]);
      out.println();
    }
  }
}
