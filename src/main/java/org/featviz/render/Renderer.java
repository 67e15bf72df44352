package org.featviz.render;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntConsumer;
import org.featviz.cpu.Activations;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cpu.Parallel;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.featviz.objective.BatchObjective;
import org.featviz.objective.ImageRegularizer;
import org.featviz.optim.Adam;
import org.featviz.param.FftParam;
import org.featviz.param.ImageParam;
import org.featviz.param.PixelParam;
import org.featviz.param.TransformSample;
import org.featviz.param.Transforms;

/**
 * Batched activation maximization on the CPU backend: every image of the batch has its own objective, and one
 * forward and one backward pass per step serve them all. Per step and image: parameters -> image -> random
 * transform -> normalization -> network (only as deep as the deepest target) -> objective and its gradient ->
 * backward to the input -> back through normalization, transform and parameterization -> Adam ascent.
 */
public final class Renderer {
  private final Graph graph;
  private final InputNormalization norm;
  private final RenderOptions opts;
  private final String input;
  private final Shape imageShape;

  /** @param graph a prepared graph whose outputs include every layer the objectives read */
  public Renderer(Graph graph, InputNormalization norm, RenderOptions opts) {
    this.graph = graph;
    this.norm = norm;
    this.input = graph.input().name();
    Shape in = graph.shape(input);
    if (in.rank() != 4) {
      throw new ModelException(graph.source() + ": input '" + input + "' is " + in + "; featviz renders images"
          + " [N, C, H, W]");
    }
    this.imageShape = Shape.of(in.dim(1), in.dim(2), in.dim(3));
    this.opts = opts.resolvedFor(imageShape);
  }

  public Shape imageShape() {
    return imageShape;
  }

  /** Optimizes one image per target; onStep is told after every step (for progress bars). */
  public List<RenderResult> render(List<RenderTarget> targets, IntConsumer onStep) {
    return render(targets, onStep, null);
  }

  /** As {@link #render(List, IntConsumer)}, showing every image's parameters to {@code probe} (may be null). */
  public List<RenderResult> render(List<RenderTarget> targets, IntConsumer onStep, StepProbe probe) {
    int batch = targets.size();
    if (batch == 0) return List.of();
    Set<String> layers = layers(targets);
    for (BatchObjective term : opts.batchTerms()) layers.addAll(term.layers());
    validate(graph, targets, layers);
    Map<String, Shape> sampleShapes = new HashMap<>();
    for (String l : layers) sampleShapes.put(l, BatchSampleView.sampleShape(graph.shape(l)));
    for (BatchObjective term : opts.batchTerms()) term.validate(sampleShapes);
    MemoryBudget.check(graph, batch, MemoryBudget.availableHeap());

    ImageParam param = opts.param().equals("fft") ? new FftParam(imageShape, opts.decay(), FftParam.DEFAULT_STD, imageShape.dim(0) == 3) : new PixelParam(imageShape);
    Transforms transforms = new Transforms(opts.transforms(), imageShape);
    int pixels = imageShape.size();
    float[][] params = new float[batch][param.size()];
    Adam[] adam = new Adam[batch];
    Random[] rng = new Random[batch];
    long[] seeds = new long[batch];
    RenderResult.Status[] status = new RenderResult.Status[batch];
    for (int b = 0; b < batch; b++) {
      seeds[b] = seedFor(opts, targets, b);
      rng[b] = new Random(seeds[b]);
      param.init(params[b], rng[b]);
      adam[b] = new Adam(param.size(), opts.learningRate());
      status[b] = RenderResult.Status.OK;
    }
    CpuExecutor exec = new CpuExecutor(graph);
    Shape batchShape = Shape.of(batch, imageShape.dim(0), imageShape.dim(1), imageShape.dim(2));
    float[][] images = new float[batch][pixels];
    TransformSample[] samples = new TransformSample[batch];

    // Redirected ReLU (as Lucid does early on), decided twice per sample and step. Whole sample: an objective whose
    // seeded gradient passes none of the ReLUs it reads gets no gradient at all; its seeds go to the ReLU inputs
    // instead, so the optimization can climb towards the region where the unit fires. Per target unit: where the
    // target unit's own slice of a ReLU output's seed passes nowhere (the unit is silent where it is seeded), that
    // slice alone goes to the ReLU input, while the rest of the seed keeps the ReLU's mask; this revives a silent
    // target under objectives that also seed other units (iam). A unit that gets no gradient even through the
    // redirect is reported dead, and so is a target unit still silent on the final image.
    boolean[] redirected = new boolean[batch];
    boolean[] unitBlocked = new boolean[batch];
    Map<String, String> reluInputs = reluInputs(graph, layers);
    if (probe != null) probe.afterStep(0, copy(params));
    for (int step = 0; step < opts.steps(); step++) {
      float[] x = new float[batch * pixels];
      for (int b = 0; b < batch; b++) {
        param.toImage(params[b], images[b]);
        samples[b] = transforms.draw(rng[b]);
      }
      Parallel.range(batch, pixels, b -> {
        float[] out = new float[pixels];
        transforms.forward(images[b], samples[b], out);
        System.arraycopy(out, 0, x, b * pixels, pixels);
      });
      Tensor netInput = norm.apply(Tensor.of(batchShape, x));
      Activations acts = exec.forward(Map.of(input, netInput), layers);
      Map<String, Tensor> grads = objectiveGradients(targets, acts.values(), layers, null);
      addBatchTerms(opts.batchTerms(), acts.values(), grads, batch);
      for (int b = 0; b < batch; b++) {
        redirected[b] = blockedByRelu(targets.get(b), b, grads, acts, reluInputs);
        unitBlocked[b] = unitBlockedByRelu(targets.get(b), b, grads, acts, reluInputs);
      }
      Map<String, Tensor> seedsByLayer = redirect(grads, redirected, targets, unitBlocked, reluInputs);
      final int stepIndex = step;
      float[] gx = exec.backward(acts, seedsByLayer, List.of(input)).get(input).data();
      float[] invStd = invStd();
      Parallel.range(batch, (long) pixels * 8, b -> {
        if (status[b] != RenderResult.Status.OK) return;
        float[] gOut = new float[pixels];
        int plane = imageShape.dim(1) * imageShape.dim(2);
        boolean allZero = true;
        for (int i = 0; i < pixels; i++) {
          gOut[i] = gx[b * pixels + i] * invStd[invStd.length == 1 ? 0 : i / plane];
          allZero &= gOut[i] == 0f;
        }
        if (allZero) {
          // No gradient even through the ReLU's input (or no ReLU to look through): nothing can move this image.
          if (stepIndex == 0 || redirected[b]) status[b] = RenderResult.Status.DEAD;
          return;
        }
        float[] gImage = new float[pixels];
        transforms.backward(gOut, samples[b], gImage);
        for (ImageRegularizer r : opts.regularizers()) r.evaluate(images[b], imageShape, gImage);
        float[] gParams = new float[param.size()];
        param.backward(params[b], gImage, gParams);
        adam[b].ascend(params[b], gParams);
        for (float p : params[b]) {
          if (!Float.isFinite(p)) {
            status[b] = RenderResult.Status.NAN;
            break;
          }
        }
      });
      if (probe != null) probe.afterStep(step + 1, copy(params));
      onStep.accept(step + 1);
    }
    return finish(targets, param, params, images, seeds, status, layers, exec, batchShape);
  }

  /** Measures every final image without transforms: the objective's value and the target unit's activation. */
  private List<RenderResult> finish(List<RenderTarget> targets, ImageParam param, float[][] params, float[][] images,
      long[] seeds, RenderResult.Status[] status, Set<String> layers, CpuExecutor exec, Shape batchShape) {
    int batch = targets.size();
    int pixels = imageShape.size();
    float[] x = new float[batch * pixels];
    for (int b = 0; b < batch; b++) {
      param.toImage(params[b], images[b]);
      System.arraycopy(images[b], 0, x, b * pixels, pixels);
    }
    Activations acts = exec.forward(Map.of(input, norm.apply(Tensor.of(batchShape, x))), layers);
    return results(targets, acts.values(), layers, images, imageShape, seeds, status, opts.steps());
  }

  /**
   * The results of a render from the final images and their activations (measured without transforms): each
   * objective's value, the target unit's mean activation, and the status: NAN where an OK image's value is not
   * finite, DEAD where an OK image's target unit is zero at every element of its layer (a silent unit's image
   * shows nothing of it, however much the image moved). Shared with the device renderer, so both report alike.
   */
  public static List<RenderResult> results(List<RenderTarget> targets, Map<String, Tensor> activations,
      Set<String> layers, float[][] images, Shape imageShape, long[] seeds, RenderResult.Status[] status, int steps) {
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
      results.add(new RenderResult(t, images[b], imageShape, s, values[b], activation, seeds[b], steps));
    }
    return results;
  }

  /** Whether target t's unit is exactly zero at every element of sample b of its layer's activations [B, ...]. */
  private static boolean silent(Tensor layer, int b, RenderTarget t) {
    int[] range = unitRange(t, layer.shape());
    int from = b * (layer.size() / layer.shape().dim(0)) + range[0];
    for (int i = from; i < from + range[1]; i++) if (layer.data()[i] != 0f) return false;
    return true;
  }

  /**
   * Where target t's unit lies in one sample of its layer, whose batch shape is {@code layerShape} [B, ...]:
   * {begin, count} in the sample's elements. Unit u of [B, C, H, W] is u*H*W..(u+1)*H*W, of [B, C] the element u;
   * a layer without a unit axis ([B]) is one unit. Shared with the device renderer.
   */
  public static int[] unitRange(RenderTarget t, Shape layerShape) {
    if (!t.hasUnit()) throw new IllegalArgumentException(t.label() + " has no unit");
    Shape sample = BatchSampleView.sampleShape(layerShape);
    int positions = sample.rank() <= 1 ? 1 : sample.size(1, sample.rank());
    return new int[] {t.unit() * positions, positions};
  }

  /** Every layer the targets' objectives read, and the layers of their units. */
  public static Set<String> layers(List<RenderTarget> targets) {
    Set<String> layers = new LinkedHashSet<>();
    for (RenderTarget t : targets) layers.addAll(t.objective().layers());
    for (RenderTarget t : targets) if (t.hasUnit()) layers.add(t.layer());
    return layers;
  }

  private static float[][] copy(float[][] params) {
    float[][] c = new float[params.length][];
    for (int b = 0; b < params.length; b++) c[b] = params[b].clone();
    return c;
  }

  /**
   * Whether sample b's objective gradient dies in the ReLUs it reads: it has a ReLU layer, and no element where the
   * gradient is non-zero has a positive activation (so the ReLU's backward would pass nothing).
   */
  private static boolean blockedByRelu(RenderTarget target, int b, Map<String, Tensor> grads, Activations acts,
      Map<String, String> reluInputs) {
    boolean hasRelu = false;
    for (String layer : target.objective().layers()) {
      Tensor g = grads.get(layer);
      if (g == null) continue;
      int per = g.size() / acts.get(layer).shape().dim(0);
      if (!reluInputs.containsKey(layer)) {
        for (int i = b * per; i < (b + 1) * per; i++) if (g.data()[i] != 0f) return false;
        continue;
      }
      hasRelu = true;
      float[] a = acts.get(layer).data();
      for (int i = b * per; i < (b + 1) * per; i++) if (g.data()[i] != 0f && a[i] > 0f) return false;
    }
    return hasRelu;
  }

  /**
   * Whether target b's own unit is blocked by the ReLU that writes its layer: the target has a unit on a layer a
   * Relu writes, and no element of the unit's slice of sample b where the seed is non-zero has a positive
   * activation (for channel and iam, whose seeds cover the whole slice: the unit is zero everywhere). Then
   * {@link #redirect} moves that slice of the seed to the ReLU's input.
   */
  private static boolean unitBlockedByRelu(RenderTarget target, int b, Map<String, Tensor> grads, Activations acts,
      Map<String, String> reluInputs) {
    if (!target.hasUnit() || !reluInputs.containsKey(target.layer())) return false;
    Tensor g = grads.get(target.layer());
    if (g == null) return false;
    Tensor a = acts.get(target.layer());
    int[] range = unitRange(target, a.shape());
    int from = b * (g.size() / a.shape().dim(0)) + range[0];
    for (int i = from; i < from + range[1]; i++) if (g.data()[i] != 0f && a.data()[i] > 0f) return false;
    return true;
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
   * Moves seeds from ReLU outputs to the ReLU inputs (identity instead of the mask): the whole sample where it is
   * redirected, else the target unit's slice of its layer where that unit is blocked. Every moved element is added
   * to the input's seed once, so the order of the two rules does not matter (the device applies the unit rule
   * first).
   */
  private static Map<String, Tensor> redirect(Map<String, Tensor> seeds, boolean[] redirected,
      List<RenderTarget> targets, boolean[] unitBlocked, Map<String, String> reluInputs) {
    Map<String, Tensor> out = new LinkedHashMap<>(seeds);
    for (Map.Entry<String, Tensor> e : seeds.entrySet()) {
      String pre = reluInputs.get(e.getKey());
      if (pre == null) continue;
      Tensor g = e.getValue();
      int per = g.size() / redirected.length;
      Tensor moved = null;
      for (int b = 0; b < redirected.length; b++) {
        int from;
        int count;
        if (redirected[b]) {
          from = b * per;
          count = per;
        } else if (unitBlocked[b] && targets.get(b).layer().equals(e.getKey())) {
          int[] range = unitRange(targets.get(b), g.shape());
          from = b * per + range[0];
          count = range[1];
        } else {
          continue;
        }
        if (moved == null) moved = Tensor.zeros(g.shape());
        System.arraycopy(g.data(), from, moved.data(), from, count);
        java.util.Arrays.fill(g.data(), from, from + count, 0f);
      }
      if (moved != null) out.merge(pre, moved, Renderer::sum);
    }
    return out;
  }

  private static Tensor sum(Tensor a, Tensor b) {
    Tensor r = a.copy();
    for (int i = 0; i < r.size(); i++) r.data()[i] += b.data()[i];
    return r;
  }

  /**
   * Evaluates each target's objective on its sample of the batch activations [B, ...] (every layer in
   * {@code layers} must be there); returns the gradient seeds per layer and, where {@code values} is not null,
   * puts each objective's value there.
   */
  public static Map<String, Tensor> objectiveGradients(List<RenderTarget> targets, Map<String, Tensor> acts,
      Set<String> layers, double[] values) {
    Map<String, Tensor> activations = new HashMap<>();
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (String l : layers) {
      Tensor a = acts.get(l);
      if (a == null) throw new ModelException("layer '" + l + "' was not computed by this forward pass");
      activations.put(l, a);
      grads.put(l, Tensor.zeros(a.shape()));
    }
    for (int b = 0; b < targets.size(); b++) {
      double v = targets.get(b).objective().evaluate(new BatchSampleView(activations, grads, b));
      if (values != null) values[b] = v;
    }
    return grads;
  }

  /** Adds the gradients of terms that couple the batch (diversity) into the per-layer seeds. */
  private static void addBatchTerms(List<BatchObjective> terms, Map<String, Tensor> acts, Map<String, Tensor> grads,
      int batch) {
    if (terms.isEmpty()) return;
    List<org.featviz.objective.SampleView> views = new ArrayList<>();
    for (int b = 0; b < batch; b++) views.add(new BatchSampleView(acts, grads, b));
    for (BatchObjective term : terms) term.evaluate(views);
  }

  /** Checks every target against the layers' shapes (objective arguments, unit indices) before optimizing. */
  public static void validate(Graph graph, List<RenderTarget> targets, Set<String> layers) {
    Map<String, Shape> sampleShapes = new HashMap<>();
    for (String l : layers) sampleShapes.put(l, BatchSampleView.sampleShape(graph.shape(l)));
    for (RenderTarget t : targets) {
      t.objective().validate(sampleShapes);
      if (t.hasUnit()) {
        Shape s = sampleShapes.get(t.layer());
        int units = s.rank() == 0 ? 1 : s.dim(0);
        if (t.unit() >= units) {
          throw new ModelException("layer '" + t.layer() + "' has " + units + " units (output " + graph.shape(t.layer())
              + "); unit " + t.unit() + " is out of range");
        }
      }
    }
  }

  private float[] invStd() {
    float[] std = norm.std();
    float[] inv = new float[std.length];
    for (int i = 0; i < std.length; i++) inv[i] = 1f / std[i];
    return inv;
  }

  /**
   * The seed of target b's random stream in a render with these options. Batch terms couple the images: there each
   * image also takes its place in the batch into its seed, so that images with the same objective start apart
   * (identical starts would stay identical under a symmetric term). Shared with the device renderer.
   */
  public static long seedFor(RenderOptions opts, List<RenderTarget> targets, int b) {
    String label = targets.get(b).label() + (opts.batchTerms().isEmpty() ? "" : "#" + b);
    return seedFor(opts.seed(), label);
  }

  /** A target's seed depends on the run's seed and the target alone, not on its place in the batch. */
  public static long seedFor(long runSeed, String label) {
    long h = runSeed * 0x9E3779B97F4A7C15L + label.hashCode();
    h ^= h >>> 31;
    h *= 0xBF58476D1CE4E5B9L;
    return h ^ (h >>> 29);
  }

}
