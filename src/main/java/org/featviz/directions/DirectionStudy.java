package org.featviz.directions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.Model;
import org.featviz.analysis.ClassPurity;
import org.featviz.analysis.ClassSelectivity;
import org.featviz.analysis.RepresentativeSubstitution;
import org.featviz.backend.Backend;
import org.featviz.backend.Backends;
import org.featviz.backend.ForwardBackend;
import org.featviz.data.Dataset;
import org.featviz.eval.UnitResponses;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.objective.Objectives;
import org.featviz.objective.Whitening;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderTarget;

/**
 * Basis versus random directions of some layers: per layer, k basis directions and k random ones
 * rendered with the same options in one batch (slot s of both populations from the same seed), each
 * image measured, the two populations compared, and everything written to the folder as each layer
 * finishes (directions.csv, summary.json, the side-by-side sheet and the plot).
 *
 * <pre>{@code
 * DirectionResult r = DirectionStudy.run(model, FashionMnist.load(FashionMnist.Split.TEST),
 *     DirectionOptions.builder(List.of("relu2"), 16, Path.of("out/directions")).build(),
 *     new DirectionListener() {});
 * }</pre>
 *
 * <p>Class selectivity is defined for non-negative responses, and a random direction's projection
 * takes both signs: the class means of a projection are clamped at 0 ({@link
 * ClassSelectivity.Negatives#CLAMP}), as if a ReLU followed the direction, the side its image is
 * optimized towards. Clamping can only raise the index (zeroed classes leave the others further
 * apart), so it favours the random population: a basis advantage in selectivity is measured against
 * that headwind.
 */
public final class DirectionStudy {
  /** Dataset images per forward of the dataset pass. */
  static final int CHUNK = 256;

  private DirectionStudy() {}

  /** The rows of every layer, and the comparisons of every layer and measure. */
  public record DirectionResult(List<DirectionRow> rows, List<Comparison> comparisons) {}

  /**
   * Runs the study on {@code m}; {@code data} (labelled images the model takes, or null) serves the
   * dataset measures and the whitening.
   */
  public static DirectionResult run(
      Model m, Dataset data, DirectionOptions o, DirectionListener listener) {
    Map<String, Integer> layers = checkedLayers(m, o);
    if (o.whitened() && data == null) {
      throw new ModelException(
          "random directions in the whitened space need a dataset to estimate the whitening from");
    }
    if (data != null && o.images() > data.size()) {
      throw new ModelException(
          o.images() + " dataset images asked for; " + data.name() + " has " + data.size());
    }
    DirectionTables tables = DirectionTables.start(o.out(), m, o, data);
    UnitResponses responses = data == null ? null : responses(m, data, o, layers, listener);
    List<DirectionRow> all = new ArrayList<>();
    List<Comparison> comparisons = new ArrayList<>();
    List<Path> pictures = new ArrayList<>();
    for (Map.Entry<String, Integer> e : layers.entrySet()) {
      String layer = e.getKey();
      int units = e.getValue();
      Whitening w =
          o.whitened()
              ? m.whitening(layer, data, o.images(), listener.whitening(layer, o.images()))
              : null;
      List<Probe> probes = new ArrayList<>(DirectionSets.basis(units, o.basisUnits()));
      probes.addAll(DirectionSets.random(units, o.count(), o.render().seed(), w));
      List<RenderTarget> targets = new ArrayList<>();
      for (Probe p : probes) {
        targets.add(
            RenderTarget.of(Objectives.direction(layer, p.vector()))
                .withSeedKey(layer + " direction slot " + p.slot()));
      }
      List<RenderResult> results =
          m.render(
              targets, o.render(), listener.rendering(layer, targets.size(), o.render().steps()));
      List<DirectionRow> rows = measure(m, layer, probes, results, responses, o);
      List<Comparison> layerComparisons = new ArrayList<>();
      for (Measure measure : Measure.values()) {
        if (measure.needsDataset() && responses == null) continue;
        layerComparisons.add(Comparison.of(layer, measure, rows));
      }
      pictures.addAll(DirectionPictures.write(o.out(), layer, probes, results, rows, o.upscale()));
      all.addAll(rows);
      comparisons.addAll(layerComparisons);
      tables.append(rows, layerComparisons);
      listener.layerDone(layer, rows, layerComparisons);
    }
    listener.written(tables.csv(), tables.summary(), pictures);
    return new DirectionResult(List.copyOf(all), List.copyOf(comparisons));
  }

  /** Each layer resolved to its name, with its units, checked against the options. */
  private static Map<String, Integer> checkedLayers(Model m, DirectionOptions o) {
    Map<String, Integer> layers = new LinkedHashMap<>();
    for (String l : o.layers()) {
      String name = m.graph().resolveLayer(l);
      int units = m.units(name);
      if (o.count() > units) {
        throw new ModelException(
            o.count()
                + " directions per population asked for, but layer '"
                + name
                + "' has "
                + units
                + " units");
      }
      for (int u : o.basisUnits()) {
        if (u < 0 || u >= units) {
          throw new ModelException(
              "layer '" + name + "' has " + units + " units; unit " + u + " is out of range");
        }
      }
      layers.put(name, units);
    }
    return layers;
  }

  private static UnitResponses responses(
      Model m, Dataset data, DirectionOptions o, Map<String, Integer> layers, DirectionListener l) {
    long start = System.nanoTime();
    List<String> names = new ArrayList<>(layers.keySet());
    Graph g = m.prepare(names);
    UnitResponses r;
    try (ForwardBackend cpu = Backends.open(Backend.CPU, g)) {
      r =
          UnitResponses.collect(
              cpu, g, names, data, m.normalization(), o.images(), CHUNK, l.datasetPass(o.images()));
    }
    l.datasetPassDone(o.images(), data.name(), (System.nanoTime() - start) / 1e9);
    return r;
  }

  /** The rows of one layer's probes from their renders (and the dataset's responses, or null). */
  static List<DirectionRow> measure(
      Model m,
      String layer,
      List<Probe> probes,
      List<RenderResult> results,
      UnitResponses responses,
      DirectionOptions o) {
    float[][] acts = m.unitActivations(results, layer);
    float[][] vectors = new float[probes.size()][];
    for (int i = 0; i < probes.size(); i++) vectors[i] = probes.get(i).vector();
    UnitResponses along = responses == null ? null : responses.along(layer, vectors);
    List<DirectionRow> rows = new ArrayList<>();
    for (int i = 0; i < probes.size(); i++) {
      Probe p = probes.get(i);
      RenderResult r = results.get(i);
      // The image's projections on the directions of its own population: RS within the set.
      List<Integer> set = new ArrayList<>();
      for (int j = 0; j < probes.size(); j++) if (probes.get(j).kind() == p.kind()) set.add(j);
      float[] projections = new float[set.size()];
      for (int s = 0; s < set.size(); s++)
        projections[s] = (float) dot(acts[i], vectors[set.get(s)]);
      double own = dot(acts[i], vectors[i]);
      double norm = Math.sqrt(dot(acts[i], acts[i]));
      double cosine = norm > 0 ? own / norm : Double.NaN; // |v| = 1
      RepresentativeSubstitution rs = rsOrNull(projections, set.indexOf(i));
      double percentile = Double.NaN;
      double purity = Double.NaN;
      double selectivity = Double.NaN;
      String preferred = null;
      if (along != null) {
        percentile = along.percentile(layer, i, own);
        int[] top = along.topImages(layer, i, o.exemplars());
        int[] labels = new int[top.length];
        for (int t = 0; t < top.length; t++) labels[t] = along.data().label(top[t]);
        int classes = along.data().classNames().size();
        purity = ClassPurity.of(labels, classes);
        double[] means = along.classMeans(layer, i);
        try {
          selectivity = ClassSelectivity.of(means, ClassSelectivity.Negatives.CLAMP);
        } catch (IllegalArgumentException e) {
          selectivity = Double.NaN; // a class without images among those run
        }
        int best = 0;
        for (int c = 1; c < means.length; c++) if (means[c] > means[best]) best = c;
        preferred = along.data().className(best);
      }
      rows.add(
          new DirectionRow(
              layer,
              p.kind(),
              p.slot(),
              p.unit(),
              r.status().label(),
              r.seed(),
              r.objectiveValue(),
              cosine,
              rs == null ? Double.NaN : rs.value(),
              rs == null ? -1 : rs.above(),
              rs == null ? -1 : rs.ties(),
              percentile,
              purity,
              selectivity,
              preferred,
              DirectionPictures.imagePath(layer, p)));
    }
    return rows;
  }

  private static RepresentativeSubstitution rsOrNull(float[] projections, int own) {
    for (float x : projections) if (!Float.isFinite(x)) return null;
    return RepresentativeSubstitution.of(projections, own);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
    return s;
  }
}
