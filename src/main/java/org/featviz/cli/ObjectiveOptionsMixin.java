package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.featviz.Model;
import org.featviz.data.FashionMnist;
import org.featviz.ir.ModelException;
import org.featviz.objective.Objective;
import org.featviz.render.UnitObjective;
import picocli.CommandLine.Option;

/**
 * What render and sweep add to the objective a user names: layer penalties (--penalty, added to
 * every unit's objective) and the dataset the whitened objectives estimate their whitening from
 * (--data-dir).
 */
final class ObjectiveOptionsMixin {
  @Option(
      names = "--penalty",
      paramLabel = LayerPenaltySpec.FORMAT,
      description =
          "add -WEIGHT x mean |a| (l1) or mean a^2 (l2) of a layer's activations to every unit's objective,"
              + " e.g. on the previous layer: --penalty relu1:l2:0.1 (repeatable)")
  List<String> penalties = new ArrayList<>();

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Fashion-MNIST folder whose test images the whitened-* objectives estimate their whitening from"
              + " (default: $"
              + FashionMnist.DIR_ENV
              + ", else Debian's "
              + "/usr/share/datasets/fashion-mnist)")
  Path dataDir;

  /** The penalties of --penalty, parsed: call before opening the model so bad values fail first. */
  List<LayerPenaltySpec> penalties() {
    return penalties.stream().map(LayerPenaltySpec::parse).toList();
  }

  /**
   * Each unit's objective: the spec's, plus every --penalty (its layer checked against the model
   * now). A whitened spec's whitening of a layer is estimated once, in {@link
   * UnitObjective#prepare} or on first use.
   */
  UnitObjective objectives(Model m, ObjectiveSpec spec, PrintWriter notes) {
    List<LayerPenaltySpec> resolved = resolvedPenalties(m);
    DataWhitenings whitenings =
        !spec.whitened()
            ? null
            : new DataWhitenings(
                m,
                dataDir != null ? dataDir : FashionMnist.defaultDir(),
                spec.whiteningImages(),
                spec.kind(),
                notes);
    return new UnitObjective() {
      @Override
      public Objective forUnit(String layer, int unit, int units, long seed) {
        Objective o = spec.forUnit(layer, unit, units, seed, whitenings);
        for (LayerPenaltySpec p : resolved) o = p.addTo(o);
        return o;
      }

      @Override
      public void prepare(Collection<String> layers) {
        if (whitenings != null) layers.forEach(whitenings::apply);
      }
    };
  }

  /**
   * The objective as a sweep records it in its settings: {@code objective} as the user wrote it,
   * the images a whitening comes from, and every penalty (layers resolved), so a resume with other
   * ones is refused.
   */
  String settingsText(Model m, String objective, ObjectiveSpec spec) {
    StringBuilder s = new StringBuilder(objective);
    if (spec.whitened()) {
      s.append(" [whitening from the first ")
          .append(spec.whiteningImages())
          .append(" fashion-mnist test images]");
    }
    for (LayerPenaltySpec p : resolvedPenalties(m)) s.append(" + penalty ").append(p.describe());
    return s.toString();
  }

  /**
   * The penalties with their layers resolved to value names; an unknown layer names the --penalty.
   */
  private List<LayerPenaltySpec> resolvedPenalties(Model m) {
    List<LayerPenaltySpec> resolved = new ArrayList<>();
    for (int i = 0; i < penalties.size(); i++) {
      LayerPenaltySpec p = LayerPenaltySpec.parse(penalties.get(i));
      try {
        resolved.add(p.onLayer(m.graph().resolveLayer(p.layer())));
      } catch (ModelException e) {
        throw new ModelException("--penalty '" + penalties.get(i) + "': " + e.getMessage(), e);
      }
    }
    return resolved;
  }
}
