package org.featviz.render;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.analysis.RepresentativeSubstitution;
import org.featviz.eval.UnitResponses;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.objective.BatchObjective;
import org.featviz.param.FftParam;
import org.featviz.param.ImageParam;
import org.featviz.param.PixelParam;

/**
 * The parts of a render step that the CPU {@link Renderer} and the device renderer ({@code
 * render.gpu}) share, so that both validate, seed, evaluate objectives and report alike: the layers
 * a batch reads, each target's seed and unit range, the objectives' values and gradient seeds on
 * host activations, and the results with their statuses.
 */
public final class RenderSteps {
  private RenderSteps() {}

  /**
   * The results of a render from the final images and their activations (measured without
   * transforms): each objective's value, the target unit's mean activation, and the status: NAN
   * where an OK image's value is not finite, DEAD where an OK image's target unit is zero at every
   * element of its layer (a silent unit's image shows nothing of it, however much the image moved).
   * Shared with the device renderer, so both report alike. {@code rs}: each target's final RS
   * counts (null entries where there are none), {@code trajectory} those recorded on the way.
   */
  public static List<RenderResult> results(
      List<RenderTarget> targets,
      Map<String, Tensor> activations,
      Set<String> layers,
      float[][] images,
      Shape imageShape,
      long[] seeds,
      RenderResult.Status[] status,
      int steps,
      RepresentativeSubstitution[] rs,
      RsTrajectory trajectory) {
    int batch = targets.size();
    double[] values = new double[batch];
    objectiveGradients(targets, activations, layers, values);
    List<RenderResult> results = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      RenderTarget t = targets.get(b);
      double activation = Double.NaN;
      if (t.hasUnit()) {
        BatchSampleView view = new BatchSampleView(activations, Map.of(), b);
        activation = view.activation(t.layer()).unitMean(t.unit());
      }
      RenderResult.Status s = status[b];
      if (s == RenderResult.Status.OK && !Double.isFinite(values[b])) s = RenderResult.Status.NAN;
      if (s == RenderResult.Status.OK && t.hasUnit() && silent(activations.get(t.layer()), b, t)) {
        s = RenderResult.Status.DEAD;
      }
      results.add(
          new RenderResult(
              t,
              images[b],
              imageShape,
              s,
              values[b],
              activation,
              seeds[b],
              steps,
              rs[b],
              trajectory.of(b)));
    }
    return results;
  }

  /**
   * The CPU count of each target unit's Representative Substitution on the activations [B, ...] of
   * one forward: the units of its layer above it and tied with it, channels as their spatial means
   * ({@link UnitResponses#unitMeans}, the means the device's count computes bit for bit); null for
   * a target without a unit or where a mean of its sample is not finite.
   */
  public static RepresentativeSubstitution[] hostRs(
      List<RenderTarget> targets, Map<String, Tensor> activations) {
    RepresentativeSubstitution[] rs = new RepresentativeSubstitution[targets.size()];
    Map<String, float[][]> means = new HashMap<>();
    for (int b = 0; b < targets.size(); b++) {
      RenderTarget t = targets.get(b);
      if (!t.hasUnit()) continue;
      float[] m =
          means.computeIfAbsent(t.layer(), l -> UnitResponses.unitMeans(activations.get(l)))[b];
      boolean finite = true;
      for (float x : m) finite &= Float.isFinite(x);
      if (finite) rs[b] = RepresentativeSubstitution.of(m, t.unit());
    }
    return rs;
  }

  /**
   * Whether target t's unit is exactly zero at every element of sample b of its layer's activations
   * [B, ...].
   */
  private static boolean silent(Tensor layer, int b, RenderTarget t) {
    int[] range = unitRange(t, layer.shape());
    int from = b * (layer.size() / layer.shape().dim(0)) + range[0];
    for (int i = from; i < from + range[1]; i++) if (layer.data()[i] != 0f) return false;
    return true;
  }

  /**
   * Where target t's unit lies in one sample of its layer, whose batch shape is {@code layerShape}
   * [B, ...]: {begin, count} in the sample's elements. Unit u of [B, C, H, W] is u*H*W..(u+1)*H*W,
   * of [B, C] the element u; a layer without a unit axis ([B]) is one unit. Shared with the device
   * renderer.
   */
  public static int[] unitRange(RenderTarget t, Shape layerShape) {
    if (!t.hasUnit()) throw new IllegalArgumentException(t.label() + " has no unit");
    Shape sample = BatchSampleView.sampleShape(layerShape);
    int positions = sample.rank() <= 1 ? 1 : sample.size(1, sample.rank());
    return new int[] {t.unit() * positions, positions};
  }

  /** One image [C, H, W] of the graph's input, which must be a batch of images [N, C, H, W]. */
  public static Shape imageShape(Graph graph) {
    String input = graph.input().name();
    Shape in = graph.shape(input);
    if (in.rank() != 4) {
      throw new ModelException(
          graph.source()
              + ": input '"
              + input
              + "' is "
              + in
              + "; featviz renders images"
              + " [N, C, H, W]");
    }
    return Shape.of(in.dim(1), in.dim(2), in.dim(3));
  }

  /** The image parameterization the options name ("fft" or pixels), for images [C, H, W]. */
  public static ImageParam imageParam(RenderOptions opts, Shape imageShape) {
    return opts.param().equals("fft")
        ? new FftParam(imageShape, opts.decay(), FftParam.DEFAULT_STD, imageShape.dim(0) == 3)
        : new PixelParam(imageShape);
  }

  /**
   * The layers a render reads: the targets' ({@link #layers}) and the batch terms', every target
   * checked against them ({@link #validate}) and every batch term too ({@link
   * BatchObjective#validate}).
   */
  public static Set<String> checkedLayers(
      Graph graph, List<RenderTarget> targets, List<BatchObjective> batchTerms) {
    Set<String> layers = layers(targets);
    for (BatchObjective term : batchTerms) layers.addAll(term.layers());
    validate(graph, targets, layers);
    Map<String, Shape> sampleShapes = new HashMap<>();
    for (String l : layers) sampleShapes.put(l, BatchSampleView.sampleShape(graph.shape(l)));
    for (BatchObjective term : batchTerms) term.validate(sampleShapes);
    return layers;
  }

  /** Every layer the targets' objectives read, and the layers of their units. */
  public static Set<String> layers(List<RenderTarget> targets) {
    Set<String> layers = new LinkedHashSet<>();
    for (RenderTarget t : targets) layers.addAll(t.objective().layers());
    for (RenderTarget t : targets) if (t.hasUnit()) layers.add(t.layer());
    return layers;
  }

  /** For each objective layer that a Relu node writes, the Relu's input. */
  public static Map<String, String> reluInputs(Graph graph, Set<String> layers) {
    Map<String, String> r = new HashMap<>();
    for (String l : layers) {
      org.featviz.ir.Node n = graph.producer(l);
      if (n != null && n.opType().equals("Relu")) r.put(l, n.input(0));
    }
    return r;
  }

  /**
   * Evaluates each target's objective on its sample of the batch activations [B, ...] (every layer
   * in {@code layers} must be there); returns the gradient seeds per layer and, where {@code
   * values} is not null, puts each objective's value there.
   */
  public static Map<String, Tensor> objectiveGradients(
      List<RenderTarget> targets, Map<String, Tensor> acts, Set<String> layers, double[] values) {
    Map<String, Tensor> activations = new HashMap<>();
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (String l : layers) {
      Tensor a = acts.get(l);
      if (a == null)
        throw new ModelException("layer '" + l + "' was not computed by this forward pass");
      activations.put(l, a);
      grads.put(l, Tensor.zeros(a.shape()));
    }
    for (int b = 0; b < targets.size(); b++) {
      double v = targets.get(b).objective().evaluate(new BatchSampleView(activations, grads, b));
      if (values != null) values[b] = v;
    }
    return grads;
  }

  /**
   * Checks every target against the layers' shapes (objective arguments, unit indices) before
   * optimizing.
   */
  public static void validate(Graph graph, List<RenderTarget> targets, Set<String> layers) {
    Map<String, Shape> sampleShapes = new HashMap<>();
    for (String l : layers) sampleShapes.put(l, BatchSampleView.sampleShape(graph.shape(l)));
    for (RenderTarget t : targets) {
      t.objective().validate(sampleShapes);
      if (t.hasUnit()) {
        Shape s = sampleShapes.get(t.layer());
        int units = s.rank() == 0 ? 1 : s.dim(0);
        if (t.unit() >= units) {
          throw new ModelException(
              "layer '"
                  + t.layer()
                  + "' has "
                  + units
                  + " units (output "
                  + graph.shape(t.layer())
                  + "); unit "
                  + t.unit()
                  + " is out of range");
        }
      }
    }
  }

  /**
   * The seed of target b's random stream in a render with these options. Batch terms couple the
   * images: there each image also takes its place in the batch into its seed, so that images with
   * the same objective start apart (identical starts would stay identical under a symmetric term).
   * Shared with the device renderer.
   */
  public static long seedFor(RenderOptions opts, List<RenderTarget> targets, int b) {
    String label = targets.get(b).seedLabel() + (opts.batchTerms().isEmpty() ? "" : "#" + b);
    return seedFor(opts.seed(), label);
  }

  /**
   * A target's seed depends on the run's seed and the target alone, not on its place in the batch.
   */
  public static long seedFor(long runSeed, String label) {
    long h = runSeed * 0x9E3779B97F4A7C15L + label.hashCode();
    h ^= h >>> 31;
    h *= 0xBF58476D1CE4E5B9L;
    return h ^ (h >>> 29);
  }
}
