package org.featviz.render.gpu;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import org.featviz.analysis.RepresentativeSubstitution;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.OwnedBuffers;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.featviz.param.ImageParam;
import org.featviz.param.TransformSample;
import org.featviz.param.Transforms;
import org.featviz.plan.DevicePlan;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderSteps;
import org.featviz.render.RenderTarget;
import org.featviz.render.RsTrajectory;
import org.featviz.render.StepProbe;

/**
 * One render of {@link DeviceRenderer}: the batch's buffers on the device (parameters, Adam
 * moments, images and their gradients, transform draws, flags) and its per-sample state on the host
 * (random streams, statuses, Adam step counts), and the step loop itself. Closing it frees the
 * buffers; the plan is the renderer's.
 */
final class RenderRun implements AutoCloseable {
  private final Device device;
  private final DevicePlan plan;
  private final InputNormalization norm;
  private final RenderOptions opts;
  private final Shape imageShape;

  /** The graph input the images go to. */
  private final String input;

  private final List<RenderTarget> targets;
  private final Set<String> layers;
  private final Map<String, String> reluInputs;
  private final int batch;
  private final int pixels;
  private final ImageParam param;
  private final Transforms transforms;
  private final OwnedBuffers owned;
  private final Random[] rng;
  private final long[] seeds;
  private final RenderResult.Status[] status;

  /** Adam steps taken per sample (its t), as one optim.Adam per image counts them. */
  private final int[] adamSteps;

  private DeviceImageParam deviceParam;
  private DeviceObjectives objectives;
  private DeviceBatchTerms batchTerms;
  private DeviceRegularizers regularizers;
  private DeviceBuffer params;
  private DeviceBuffer grad;
  private DeviceBuffer m;
  private DeviceBuffer v;
  private DeviceBuffer image;
  private DeviceBuffer gradImage;
  private DeviceBuffer samples;
  private DeviceBuffer mean;
  private DeviceBuffer std;
  private DeviceBuffer flags;
  private DeviceBuffer mask;

  /**
   * Per ReLU layer that some target has its unit on: each sample's unit range there (empty for
   * other samples).
   */
  private final Map<String, RenderKernels.Ranges> unitRanges = new LinkedHashMap<>();

  private TransformKernels.Dims dims;

  /**
   * @param input the graph input the images go to, image [C, H, W] each; layers every layer the
   *     targets and the batch terms read (plan targets); reluInputs the ReLU input of each of those
   *     a ReLU writes (plan targets too)
   */
  RenderRun(
      Device device,
      DevicePlan plan,
      String input,
      InputNormalization norm,
      RenderOptions opts,
      Shape imageShape,
      List<RenderTarget> targets,
      Set<String> layers,
      Map<String, String> reluInputs) {
    this.device = device;
    this.owned = new OwnedBuffers(device);
    this.plan = plan;
    this.input = input;
    this.norm = norm;
    this.opts = opts;
    this.imageShape = imageShape;
    this.targets = targets;
    this.layers = layers;
    this.reluInputs = reluInputs;
    this.batch = targets.size();
    this.pixels = imageShape.size();
    this.param = RenderSteps.imageParam(opts, imageShape);
    this.transforms = new Transforms(opts.transforms(), imageShape);
    this.rng = new Random[batch];
    this.seeds = new long[batch];
    this.status = new RenderResult.Status[batch];
    this.adamSteps = new int[batch];
    try {
      allocate();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Initial parameters drawn on the host exactly as the CPU renderer draws them, then uploaded. */
  private void allocate() {
    int size = param.size();
    float[] initial = new float[batch * size];
    float[] one = new float[size];
    for (int b = 0; b < batch; b++) {
      seeds[b] = RenderSteps.seedFor(opts, targets, b);
      rng[b] = new Random(seeds[b]);
      param.init(one, rng[b]);
      System.arraycopy(one, 0, initial, b * size, size);
      status[b] = RenderResult.Status.OK;
    }
    long n = (long) batch * size;
    params = owned.floats(n);
    device.copyToDevice(initial, params);
    grad = owned.floats(n);
    m = owned.floats(n);
    v = owned.floats(n);
    device.memsetZero(m);
    device.memsetZero(v);
    image = owned.floats((long) batch * pixels);
    gradImage = owned.floats((long) batch * pixels);
    samples = owned.floats((long) batch * TransformKernels.SAMPLE_FLOATS);
    mean = owned.floats(norm.mean().length);
    std = owned.floats(norm.std().length);
    device.copyToDevice(norm.mean(), mean);
    device.copyToDevice(norm.std(), std);
    flags = owned.ints(batch);
    mask = owned.ints(batch);
    dims =
        new TransformKernels.Dims(
            batch,
            imageShape.dim(0),
            imageShape.dim(1),
            imageShape.dim(2),
            imageShape.dim(1),
            imageShape.dim(2));
    deviceParam = DeviceImageParam.of(device, param, batch);
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (String l : layers) shapes.put(l, plan.shape(l));
    objectives = new DeviceObjectives(device, targets, shapes);
    batchTerms = new DeviceBatchTerms(device, opts.batchTerms(), shapes, batch);
    regularizers = new DeviceRegularizers(device, opts.regularizers(), imageShape, batch);
    for (String layer : reluInputs.keySet()) {
      int[] begin = new int[batch];
      int[] count = new int[batch];
      boolean any = false;
      for (int b = 0; b < batch; b++) {
        RenderTarget t = targets.get(b);
        if (!t.hasUnit() || !t.layer().equals(layer)) continue;
        int[] range = RenderSteps.unitRange(t, plan.shape(layer));
        begin[b] = range[0];
        count[b] = range[1];
        any = true;
      }
      if (any)
        unitRanges.put(
            layer, RenderKernels.Ranges.of(device, begin, count, plan.shape(layer).size() / batch));
    }
  }

  List<RenderResult> render(IntConsumer onStep, StepProbe probe) {
    boolean[] redirected = new boolean[batch];
    TransformSample[] drawn = new TransformSample[batch];
    RsTrajectory rs = new RsTrajectory(batch);
    if (probe != null) probe.afterStep(0, hostParams());
    for (int step = 0; step < opts.steps(); step++) {
      for (int b = 0; b < batch; b++) drawn[b] = transforms.draw(rng[b]);
      device.copyToDevice(TransformKernels.pack(drawn), samples);
      toNetworkInput();
      plan.runForward();
      plan.clearSeeds();
      if (opts.recordsRsAt(step)) {
        rs.add(step, objectives.seedCountingRs(plan)); // counted by the objective kernels
      } else {
        objectives.seed(plan);
      }
      batchTerms.seed(plan);
      redirect(redirected);
      plan.runBackward();
      boolean[] update = decide(step, redirected);
      if (any(update)) ascend(update);
      if (probe != null) probe.afterStep(step + 1, hostParams());
      onStep.accept(step + 1);
    }
    return finish(rs);
  }

  /**
   * Redirected ReLU, as the CPU renderer does it: a sample whose objective gradient passes none of
   * the ReLUs it reads (and is zero at its other layers) gets its seeds moved from the ReLU outputs
   * to the ReLU inputs. Before that, with no host round trip, each target unit on a ReLU layer none
   * of whose seeded elements passes the ReLU gets its unit's slice of the seed moved
   * (render_range_any, render_move_ranges). The whole-sample decision is made on the seeds as the
   * objectives left them, as on the CPU; a slice moved first adds nothing to the whole-sample move.
   */
  private void redirect(boolean[] redirected) {
    Arrays.fill(redirected, false);
    if (reluInputs.isEmpty()) return;
    Set<String> objectiveLayers = new LinkedHashSet<>();
    for (RenderTarget t : targets) objectiveLayers.addAll(t.objective().layers());
    Map<String, int[]> passes = new LinkedHashMap<>();
    for (String layer : objectiveLayers) {
      DeviceBuffer seed = plan.seedBuffer(layer);
      int[] f = new int[batch];
      if (seed != null) {
        int per = plan.shape(layer).size() / batch;
        if (reluInputs.containsKey(layer)) {
          RenderKernels.anyNonzeroWherePositive(
              device, seed, plan.activationBuffer(layer), flags, batch, per);
        } else {
          RenderKernels.anyNonzero(device, seed, flags, batch, per);
        }
        device.copyToHost(flags, 0, f, 0, batch);
      }
      passes.put(layer, f);
    }
    int[] moved = new int[batch];
    boolean anyMoved = false;
    for (int b = 0; b < batch; b++) {
      boolean hasRelu = false;
      boolean blocked = true;
      for (String layer : targets.get(b).objective().layers()) {
        hasRelu |= reluInputs.containsKey(layer);
        if (passes.get(layer)[b] != 0) blocked = false;
      }
      redirected[b] = hasRelu && blocked;
      moved[b] = redirected[b] ? 1 : 0;
      anyMoved |= redirected[b];
    }
    for (Map.Entry<String, RenderKernels.Ranges> e : unitRanges.entrySet()) {
      DeviceBuffer out = plan.seedBuffer(e.getKey());
      DeviceBuffer in = plan.seedBuffer(reluInputs.get(e.getKey()));
      if (out == null || in == null) continue;
      RenderKernels.rangeAny(
          device, out, plan.activationBuffer(e.getKey()), e.getValue(), flags, true);
      RenderKernels.moveRanges(device, out, in, e.getValue(), flags);
    }
    if (!anyMoved) return;
    device.copyToDevice(moved, mask);
    for (Map.Entry<String, String> e : reluInputs.entrySet()) {
      DeviceBuffer out = plan.seedBuffer(e.getKey());
      DeviceBuffer in = plan.seedBuffer(e.getValue());
      if (out == null || in == null) continue;
      RenderKernels.moveSamples(
          device, out, in, mask, batch, plan.shape(e.getKey()).size() / batch);
    }
  }

  /**
   * Which OK samples are updated this step: those whose input gradient is not all zero. An all-zero
   * one marks the sample DEAD at step 0 or after a redirect (nothing can move it), and skips the
   * update otherwise.
   */
  private boolean[] decide(int step, boolean[] redirected) {
    DeviceBuffer gx = plan.inputGradientBuffer(input);
    int[] nonzero = new int[batch];
    if (gx != null) {
      RenderKernels.anyNonzero(device, gx, flags, batch, pixels);
      device.copyToHost(flags, 0, nonzero, 0, batch);
    }
    boolean[] update = new boolean[batch];
    for (int b = 0; b < batch; b++) {
      if (status[b] != RenderResult.Status.OK) continue;
      if (nonzero[b] == 0) {
        if (step == 0 || redirected[b]) status[b] = RenderResult.Status.DEAD;
        continue;
      }
      update[b] = true;
    }
    return update;
  }

  /** Back through transform and parameterization, then Adam for the samples to update. */
  private void ascend(boolean[] update) {
    // Regularizers' gradients at the image first; the fused backward adds the network's and goes on
    // through the
    // parameterization's last stage.
    DeviceBuffer atImage = null;
    if (!regularizers.isEmpty()) {
      device.memsetZero(gradImage);
      regularizers.apply(image, gradImage, mask, update);
      atImage = gradImage;
    }
    TransformKernels.backward(
        device,
        dims,
        deviceParam.stage(),
        plan.inputGradientBuffer(input),
        samples,
        std,
        norm.std().length,
        image,
        atImage,
        deviceParam.preGradient(grad));
    deviceParam.backwardFromPre(grad);
    // One launch per distinct Adam step count among the updated samples (usually one).
    Map<Integer, int[]> byStep = new TreeMap<>();
    for (int b = 0; b < batch; b++) {
      if (update[b]) byStep.computeIfAbsent(adamSteps[b] + 1, k -> new int[batch])[b] = 1;
    }
    for (Map.Entry<Integer, int[]> e : byStep.entrySet()) {
      int[] active = e.getValue();
      device.copyToDevice(active, mask);
      AdamKernel.ascend(
          device, params, grad, m, v, mask, batch, param.size(), e.getKey(), opts.learningRate());
      AdamKernel.deactivateNonFinite(device, params, mask, batch, param.size());
      int[] after = new int[batch];
      device.copyToHost(mask, 0, after, 0, batch);
      for (int b = 0; b < batch; b++) {
        if (active[b] == 0) continue;
        adamSteps[b]++;
        if (after[b] == 0) status[b] = RenderResult.Status.NAN;
      }
    }
  }

  /**
   * The final images, measured without transforms as the CPU renderer measures them; RS counted on
   * the device, by the objective kernels' count.
   */
  private List<RenderResult> finish(RsTrajectory trajectory) {
    TransformSample[] identity = new TransformSample[batch];
    Arrays.fill(identity, TransformSample.identity());
    device.copyToDevice(TransformKernels.pack(identity), samples);
    toNetworkInput();
    float[] all = new float[batch * pixels];
    device.copyToHost(image, 0, all, 0, all.length);
    float[][] images = new float[batch][];
    for (int b = 0; b < batch; b++)
      images[b] = Arrays.copyOfRange(all, b * pixels, (b + 1) * pixels);
    plan.runForward();
    RepresentativeSubstitution[] rs = objectives.countRs(plan);
    Map<String, Tensor> acts = new LinkedHashMap<>();
    for (String l : layers) acts.put(l, plan.activation(l));
    return RenderSteps.results(
        targets, acts, layers, images, imageShape, seeds, status, opts.steps(), rs, trajectory);
  }

  /**
   * The parameterization up to its last stage, then one fused kernel: the last stage (writing the
   * images), the transforms drawn into {@code samples} and the input normalization, into the
   * network's input.
   */
  private void toNetworkInput() {
    DeviceBuffer pre = deviceParam.preActivation(params);
    TransformKernels.forward(
        device,
        dims,
        opts.transforms(),
        deviceParam.stage(),
        pre,
        image,
        samples,
        mean,
        std,
        norm.mean().length,
        plan.inputBuffer(input));
  }

  private float[][] hostParams() {
    int size = param.size();
    float[] all = new float[batch * size];
    device.copyToHost(params, 0, all, 0, all.length);
    float[][] out = new float[batch][];
    for (int b = 0; b < batch; b++) out[b] = Arrays.copyOfRange(all, b * size, (b + 1) * size);
    return out;
  }

  @Override
  public void close() {
    if (objectives != null) objectives.close();
    if (batchTerms != null) batchTerms.close();
    if (regularizers != null) regularizers.close();
    if (deviceParam != null) deviceParam.close();
    for (RenderKernels.Ranges r : unitRanges.values()) r.close();
    unitRanges.clear();
    owned.close();
  }

  private static boolean any(boolean[] flags) {
    for (boolean f : flags) if (f) return true;
    return false;
  }
}
