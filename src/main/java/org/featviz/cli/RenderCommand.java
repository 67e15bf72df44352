package org.featviz.cli;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.Model;
import org.featviz.objective.Objectives;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderTarget;
import org.featviz.render.UnitObjective;
import org.featviz.report.ContactSheet;
import org.featviz.sweep.UnitSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code featviz render}: activation-maximization images for some units of one layer, in one batch.
 */
@Command(
    name = "render",
    description = "Optimize one image per unit (one batch) and write PNGs and results.json.")
final class RenderCommand extends FeatvizCommand {
  @Option(names = "--model", required = true, description = "ONNX model")
  Path model;

  @Option(
      names = {"--layer", "--layers"},
      required = true,
      description = "layer name (see featviz info)")
  String layer;

  @Option(
      names = {"--unit", "--units"},
      required = true,
      description = "unit(s): 5, 1,4,7 or 0-15")
  String units;

  @Option(
      names = "--objective",
      defaultValue = "channel",
      description =
          "channel (default), neuron, iam, dot, cosine, dot-cossim[:n=1,floor=0.1], orthogonal[:lambda=1],"
              + " whitened-dot, whitened-cosine, whitened-dot-cossim[:n=1,floor=0.1], whitened-channel; direction"
              + " objectives take direction=basis|random|FILE, whitened ones images=N (default 1000: the Fashion-MNIST"
              + " test images their whitening is estimated from, see --data-dir)")
  String objective;

  @Option(names = "--out", required = true, description = "output folder")
  Path out;

  @Option(
      names = "--diversity",
      defaultValue = "0",
      description =
          "weight of Lucid's diversity term at the layer (pushes the batch's images apart)")
  double diversity;

  @Mixin RenderOptionsMixin render;

  @Mixin ObjectiveOptionsMixin terms;

  @Override
  public Integer call() {
    PrintWriter pw = stdout();
    ObjectiveSpec kind = ObjectiveSpec.parse(objective);
    render.validate();
    RenderOptionsMixin.weight("--diversity", diversity);
    LayerOption.checkOne(spec, layer);
    terms.penalties(); // bad --penalty values fail before the model is opened
    OutputFolder.prepare("--out", out);
    try (Model m = render.open(model)) {
      String name = m.graph().resolveLayer(layer);
      int n = m.units(name);
      int upscale = render.upscaleFor(m.imageShape());
      RenderOptions options = render.options(m.imageShape(), stderr());
      UnitObjective objectives = terms.objectives(m, kind, stderr());
      objectives.prepare(List.of(name)); // a whitening is estimated before the render starts
      List<RenderTarget> targets = new ArrayList<>();
      for (int u : new UnitSelection(units).resolve(name, n)) {
        targets.add(m.unit(name, u, objectives.forUnit(name, u, n, options.seed())));
      }
      if (diversity > 0)
        options = options.withBatchTerms(List.of(Objectives.diversity(name, diversity)));
      List<RenderResult> results;
      try (Progress progress = new Progress("render", options.steps(), "steps", stderr())) {
        results = m.render(targets, options, (done, total) -> progress.accept(1));
      }
      write(pw, results, m.backend(), upscale);
    }
    return 0;
  }

  /**
   * PNGs, the contact sheet and results.json; {@code backend} names where the render ran (and its
   * math mode).
   */
  private void write(PrintWriter pw, List<RenderResult> results, String backend, int upscale) {
    try {
      Files.createDirectories(out);
      List<Map<String, Object>> rows = new ArrayList<>();
      ContactSheet sheet =
          new ContactSheet(results.get(0).imageShape(), Math.min(8, results.size()), upscale);
      for (RenderResult r : results) {
        String file =
            String.format(
                "%s_unit_%04d.png",
                r.target().layer().replaceAll("[^A-Za-z0-9._-]", "_"), r.target().unit());
        r.writePng(out.resolve(file), upscale);
        sheet.add(r.image(), r.target().unit(), r.activation());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("layer", r.target().layer());
        row.put("unit", r.target().unit());
        row.put("objective", r.target().objective().describe());
        row.put("status", r.status().label());
        row.put("objective_value", r.objectiveValue());
        row.put("activation", r.activation());
        row.put("seed", r.seed());
        row.put("steps", r.steps());
        row.put("image", file);
        row.put("backend", backend);
        if (r.rs() != null) {
          row.put("rs", r.rs().value());
          row.put("rs_above", r.rs().above());
          row.put("rs_ties", r.rs().ties());
        }
        if (!r.rsTrajectory().isEmpty()) row.put("rs_trajectory", r.rsTrajectoryText());
        rows.add(row);
        pw.printf(
            "%s unit %d: %s, objective %.4g, activation %.4g -> %s%n",
            r.target().layer(),
            r.target().unit(),
            r.status().label(),
            r.objectiveValue(),
            r.activation(),
            out.resolve(file));
      }
      sheet.write(out.resolve("contact_sheet.png"));
      Files.writeString(
          out.resolve("results.json"),
          new GsonBuilder()
              .setPrettyPrinting()
              .serializeSpecialFloatingPointValues()
              .create()
              .toJson(rows));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (results.stream().anyMatch(r -> r.status() != RenderResult.Status.OK)) {
      pw.println(
          "some units are dead (silent on their final image, or no gradient moved it) or diverged: see"
              + " results.json");
    }
  }
}
