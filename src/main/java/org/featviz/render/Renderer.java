package org.featviz.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntConsumer;
import org.featviz.cpu.Activations;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cpu.Parallel;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.featviz.objective.BatchObjective;
import org.featviz.objective.ImageRegularizer;
import org.featviz.optim.Adam;
import org.featviz.param.ImageParam;
import org.featviz.param.TransformSample;
import org.featviz.param.Transforms;

/**
 * Batched activation maximization on the CPU backend: every image of the batch has its own
 * objective, and one forward and one backward pass per step serve them all. Per step and image:
 * parameters -> image -> random transform -> normalization -> network (only as deep as the deepest
 * target) -> objective and its gradient -> backward to the input -> back through normalization,
 * transform and parameterization -> Adam ascent.
 */
public final class Renderer extends GraphRenderer {
  /**
   * @param graph a prepared graph whose outputs include every layer the objectives read
   */
  public Renderer(Graph graph, InputNormalization norm, RenderOptions opts) {
    super(graph, norm, opts);
  }

  @Override
  protected List<RenderResult> render(
      List<RenderTarget> targets, Set<String> layers, IntConsumer onStep, StepProbe probe) {
    int batch = targets.size();
    MemoryBudget.check(graph, batch, MemoryBudget.availableHeap());

    ImageParam param = RenderSteps.imageParam(opts, imageShape);
    Transforms transforms = new Transforms(opts.transforms(), imageShape);
    int pixels = imageShape.size();
    float[][] params = new float[batch][param.size()];
    Adam[] adam = new Adam[batch];
    Random[] rng = new Random[batch];
    long[] seeds = new long[batch];
    RenderResult.Status[] status = new RenderResult.Status[batch];
    for (int b = 0; b < batch; b++) {
      seeds[b] = RenderSteps.seedFor(opts, targets, b);
      rng[b] = new Random(seeds[b]);
      param.init(params[b], rng[b]);
      adam[b] = new Adam(param.size(), opts.learningRate());
      status[b] = RenderResult.Status.OK;
    }
    CpuExecutor exec = new CpuExecutor(graph);
    Shape batchShape = Shape.of(batch, imageShape.dim(0), imageShape.dim(1), imageShape.dim(2));
    float[][] images = new float[batch][pixels];
    TransformSample[] samples = new TransformSample[batch];

    // Redirected ReLU (as Lucid does early on), decided twice per sample and step. Whole sample: an
    // objective whose
    // seeded gradient passes none of the ReLUs it reads gets no gradient at all; its seeds go to
    // the ReLU inputs
    // instead, so the optimization can climb towards the region where the unit fires. Per target
    // unit: where the
    // target unit's own slice of a ReLU output's seed passes nowhere (the unit is silent where it
    // is seeded), that
    // slice alone goes to the ReLU input, while the rest of the seed keeps the ReLU's mask; this
    // revives a silent
    // target under objectives that also seed other units (iam). A unit that gets no gradient even
    // through the
    // redirect is reported dead, and so is a target unit still silent on the final image.
    boolean[] redirected = new boolean[batch];
    boolean[] unitBlocked = new boolean[batch];
    Map<String, String> reluInputs = RenderSteps.reluInputs(graph, layers);
    RsTrajectory rs = new RsTrajectory(batch);
    if (probe != null) probe.afterStep(0, copy(params));
    for (int step = 0; step < opts.steps(); step++) {
      float[] x = new float[batch * pixels];
      for (int b = 0; b < batch; b++) {
        param.toImage(params[b], images[b]);
        samples[b] = transforms.draw(rng[b]);
      }
      Parallel.range(
          batch,
          pixels,
          b -> {
            float[] out = new float[pixels];
            transforms.forward(images[b], samples[b], out);
            System.arraycopy(out, 0, x, b * pixels, pixels);
          });
      Tensor netInput = norm.apply(Tensor.of(batchShape, x));
      Activations acts = exec.forward(Map.of(input, netInput), layers);
      if (opts.recordsRsAt(step)) rs.add(step, RenderSteps.hostRs(targets, acts.values()));
      Map<String, Tensor> grads =
          RenderSteps.objectiveGradients(targets, acts.values(), layers, null);
      addBatchTerms(opts.batchTerms(), acts.values(), grads, batch);
      for (int b = 0; b < batch; b++) {
        redirected[b] = blockedByRelu(targets.get(b), b, grads, acts, reluInputs);
        unitBlocked[b] = unitBlockedByRelu(targets.get(b), b, grads, acts, reluInputs);
      }
      Map<String, Tensor> seedsByLayer =
          redirect(grads, redirected, targets, unitBlocked, reluInputs);
      final int stepIndex = step;
      float[] gx = exec.backward(acts, seedsByLayer, List.of(input)).get(input).data();
      float[] invStd = invStd();
      Parallel.range(
          batch,
          (long) pixels * 8,
          b -> {
            if (status[b] != RenderResult.Status.OK) return;
            float[] gOut = new float[pixels];
            int plane = imageShape.dim(1) * imageShape.dim(2);
            boolean allZero = true;
            for (int i = 0; i < pixels; i++) {
              gOut[i] = gx[b * pixels + i] * invStd[invStd.length == 1 ? 0 : i / plane];
              allZero &= gOut[i] == 0f;
            }
            if (allZero) {
              // No gradient even through the ReLU's input (or no ReLU to look through): nothing can
              // move this image.
              if (stepIndex == 0 || redirected[b]) status[b] = RenderResult.Status.DEAD;
              return;
            }
            float[] gImage = new float[pixels];
            transforms.backward(gOut, samples[b], gImage);
            for (ImageRegularizer r : opts.regularizers())
              r.evaluate(images[b], imageShape, gImage);
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
    return finish(targets, param, params, images, seeds, status, layers, exec, batchShape, rs);
  }

  /**
   * Measures every final image without transforms: the objective's value, the target unit's
   * activation and its RS.
   */
  private List<RenderResult> finish(
      List<RenderTarget> targets,
      ImageParam param,
      float[][] params,
      float[][] images,
      long[] seeds,
      RenderResult.Status[] status,
      Set<String> layers,
      CpuExecutor exec,
      Shape batchShape,
      RsTrajectory rs) {
    int batch = targets.size();
    int pixels = imageShape.size();
    float[] x = new float[batch * pixels];
    for (int b = 0; b < batch; b++) {
      param.toImage(params[b], images[b]);
      System.arraycopy(images[b], 0, x, b * pixels, pixels);
    }
    Activations acts = exec.forward(Map.of(input, norm.apply(Tensor.of(batchShape, x))), layers);
    return RenderSteps.results(
        targets,
        acts.values(),
        layers,
        images,
        imageShape,
        seeds,
        status,
        opts.steps(),
        RenderSteps.hostRs(targets, acts.values()),
        rs);
  }

  private static float[][] copy(float[][] params) {
    float[][] c = new float[params.length][];
    for (int b = 0; b < params.length; b++) c[b] = params[b].clone();
    return c;
  }

  /**
   * Whether sample b's objective gradient dies in the ReLUs it reads: it has a ReLU layer, and no
   * element where the gradient is non-zero has a positive activation (so the ReLU's backward would
   * pass nothing).
   */
  private static boolean blockedByRelu(
      RenderTarget target,
      int b,
      Map<String, Tensor> grads,
      Activations acts,
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
      for (int i = b * per; i < (b + 1) * per; i++)
        if (g.data()[i] != 0f && a[i] > 0f) return false;
    }
    return hasRelu;
  }

  /**
   * Whether target b's own unit is blocked by the ReLU that writes its layer: the target has a unit
   * on a layer a Relu writes, and no element of the unit's slice of sample b where the seed is
   * non-zero has a positive activation (for channel and iam, whose seeds cover the whole slice: the
   * unit is zero everywhere). Then {@link #redirect} moves that slice of the seed to the ReLU's
   * input.
   */
  private static boolean unitBlockedByRelu(
      RenderTarget target,
      int b,
      Map<String, Tensor> grads,
      Activations acts,
      Map<String, String> reluInputs) {
    if (!target.hasUnit() || !reluInputs.containsKey(target.layer())) return false;
    Tensor g = grads.get(target.layer());
    if (g == null) return false;
    Tensor a = acts.get(target.layer());
    int[] range = RenderSteps.unitRange(target, a.shape());
    int from = b * (g.size() / a.shape().dim(0)) + range[0];
    for (int i = from; i < from + range[1]; i++)
      if (g.data()[i] != 0f && a.data()[i] > 0f) return false;
    return true;
  }

  /**
   * Moves seeds from ReLU outputs to the ReLU inputs (identity instead of the mask): the whole
   * sample where it is redirected, else the target unit's slice of its layer where that unit is
   * blocked. Every moved element is added to the input's seed once, so the order of the two rules
   * does not matter (the device applies the unit rule first).
   */
  private static Map<String, Tensor> redirect(
      Map<String, Tensor> seeds,
      boolean[] redirected,
      List<RenderTarget> targets,
      boolean[] unitBlocked,
      Map<String, String> reluInputs) {
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
          int[] range = RenderSteps.unitRange(targets.get(b), g.shape());
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

  /** Adds the gradients of terms that couple the batch (diversity) into the per-layer seeds. */
  private static void addBatchTerms(
      List<BatchObjective> terms, Map<String, Tensor> acts, Map<String, Tensor> grads, int batch) {
    if (terms.isEmpty()) return;
    List<org.featviz.objective.SampleView> views = new ArrayList<>();
    for (int b = 0; b < batch; b++) views.add(new BatchSampleView(acts, grads, b));
    for (BatchObjective term : terms) term.evaluate(views);
  }

  /** The CPU renderer holds nothing outside the Java heap. */
  @Override
  public void close() {}

  private float[] invStd() {
    float[] std = norm.std();
    float[] inv = new float[std.length];
    for (int i = 0; i < std.length; i++) inv[i] = 1f / std[i];
    return inv;
  }
}
