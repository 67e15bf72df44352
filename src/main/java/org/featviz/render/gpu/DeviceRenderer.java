package org.featviz.render.gpu;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.featviz.device.Device;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.model.InputNormalization;
import org.featviz.plan.DeviceExecutor;
import org.featviz.plan.DevicePlan;
import org.featviz.render.GraphRenderer;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderSteps;
import org.featviz.render.RenderTarget;
import org.featviz.render.Renderer;
import org.featviz.render.StepProbe;

/**
 * Batched activation maximization on a {@link Device} (a GPU, or the host emulator in CI): the
 * contract of the CPU {@link Renderer} (same targets, options and results; each target's seed,
 * initial parameters and transform draws come from the same per-target random stream, so the two
 * are comparable step by step), with one optimization step of the whole batch kept on the device:
 *
 * <pre>
 *   params [B, P] --{@link DeviceImageParam} (sigmoid kernel; FFT: spectrum weighting, inverse DFT as GEMMs,
 *                   decorrelation and sigmoid kernel)--> images [B, C, H, W]
 *   --transform_forward (the host draws each image's TransformSample per step and uploads B x 4 floats)-->
 *     the plan's input buffer --plan forward (to the deepest target layer only)--> target activations
 *   --objective kernels ({@link DeviceObjectives}), batch terms such as diversity ({@link DeviceBatchTerms}:
 *     Gram GEMMs and kernels)--> gradient seeds in the plan's seed buffers
 *   --redirected ReLU (whole samples: render_sample_any, render_move_samples; a silent target unit's slice:
 *     render_range_any, render_move_ranges)--> --plan backward--> input gradient
 *   --image regularizers' gradient at the image ({@link DeviceRegularizers}: one launch for tv, l1 and blur),
 *     plus transform_backward--> gradient --parameterization backward--> adam_ascend, adam_deactivate_nonfinite
 * </pre>
 *
 * <p>Host round trips per step are a few per-sample flags (B ints each): which samples' objective
 * gradients pass their ReLUs (for the redirect), which samples have an all-zero input gradient
 * (DEAD at step 0 or after a redirect, skipped otherwise, as the CPU renderer does), and which Adam
 * updates produced a NaN. Adam's step count is per sample, like one {@code optim.Adam} per image:
 * samples that skipped an update get their own launch when their counts differ. Exceptions that
 * stay on the host for now: objectives without a fused form (the user's own {@code Objective}
 * implementations and sums that contain them; every objective of {@code Objectives}, whitened ones
 * and layer penalties included, has one) are evaluated on the host for the batch, from copied-back
 * activations of the layers they read ({@link HostObjectives}); image regularizers and batch terms
 * of the user's own (without a fused form) run on the host the same way; the final measurement
 * (objective values and unit activations of the untransformed final images) copies the target
 * layers back once.
 *
 * <p>The renderer keeps its plan (weights uploaded, cuDNN algorithms chosen) between renders of the
 * same batch size; close it to free that. The device stays the caller's.
 *
 * <pre>
 * try (Device device = CudaDevice.open();
 *      DeviceRenderer r = new DeviceRenderer(device, prepared, norm, RenderOptions.defaults())) {
 *   List&lt;RenderResult&gt; results = r.render(targets, step -&gt; {});
 * }
 * </pre>
 */
public final class DeviceRenderer extends GraphRenderer {
  private final Device device;
  private final DeviceExecutor exec;

  /**
   * @param graph a prepared graph whose outputs include every layer the objectives read
   */
  public DeviceRenderer(Device device, Graph graph, InputNormalization norm, RenderOptions opts) {
    super(graph, norm, opts);
    this.device = device;
    this.exec = new DeviceExecutor(device, graph, List.of(input));
  }

  @Override
  protected List<RenderResult> render(
      List<RenderTarget> targets, Set<String> layers, IntConsumer onStep, StepProbe probe) {
    int batch = targets.size();
    Map<String, String> reluInputs = RenderSteps.reluInputs(graph, layers);
    Set<String> planTargets = new LinkedHashSet<>(layers);
    planTargets.addAll(reluInputs.values());
    Shape batchShape = Shape.of(batch, imageShape.dim(0), imageShape.dim(1), imageShape.dim(2));
    DevicePlan plan = exec.plan(Map.of(input, batchShape), planTargets);
    try (RenderRun run =
        new RenderRun(device, plan, input, norm, opts, imageShape, targets, layers, reluInputs)) {
      return run.render(onStep, probe);
    }
  }

  /** Frees the plan; idempotent. The device stays open. */
  @Override
  public void close() {
    exec.close();
  }
}
