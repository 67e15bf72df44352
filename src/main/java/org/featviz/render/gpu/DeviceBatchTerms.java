package org.featviz.render.gpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.objective.BatchObjective;
import org.featviz.objective.SampleView;
import org.featviz.plan.DevicePlan;
import org.featviz.render.BatchSampleView;

/**
 * The gradient seeds of the terms that couple a batch (diversity), added into a {@link
 * DevicePlan}'s seed buffers after the objectives' ({@link DeviceObjectives#seed}): the device side
 * of the CPU renderer's {@code addBatchTerms}. Every term with a fused form ({@link
 * FusedLowering#batchTerm}) is computed on the device for the whole batch ({@link
 * DiversityKernels}: Gram matrices by GEMM, the pairwise terms by kernels, the gradient by GEMM
 * with beta 1 into the seed). A term without one (a user's own implementation) is evaluated on the
 * host, from its layers' activations and seeds copied back, and its seeds uploaded again.
 *
 * <p>As on the CPU, the whole batch takes part, whatever each sample's status. Each term's layers
 * must be plan targets ({@link DeviceRenderer} adds them).
 */
final class DeviceBatchTerms implements AutoCloseable {
  /** One diversity term on the device, with its scratch. */
  private record OnDevice(
      String layer, double weight, DiversityKernels.Dims dims, DiversityKernels.Scratch scratch) {}

  private final Device device;
  private final int batch;
  private final List<OnDevice> onDevice = new ArrayList<>();
  private final List<BatchObjective> onHost = new ArrayList<>();

  /**
   * @param layerShapes each term layer's batch shape [B, ...] in the plan
   */
  DeviceBatchTerms(
      Device device, List<BatchObjective> terms, Map<String, Shape> layerShapes, int batch) {
    this.device = device;
    this.batch = batch;
    try {
      for (BatchObjective t : terms) {
        Optional<FusedBatchTerm> fused = FusedLowering.batchTerm(t);
        if (fused.isPresent() && fused.get() instanceof FusedBatchTerm.Diversity d) {
          DiversityKernels.Dims dims = dims(d.layer(), layerShapes.get(d.layer()));
          onDevice.add(
              new OnDevice(
                  d.layer(), d.weight(), dims, new DiversityKernels.Scratch(device, dims)));
        } else {
          onHost.add(t);
        }
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private DiversityKernels.Dims dims(String layer, Shape batchShape) {
    if (batchShape == null)
      throw new IllegalArgumentException("diversity: layer '" + layer + "' is not in the plan");
    Shape s = BatchSampleView.sampleShape(batchShape);
    int units = s.rank() == 0 ? 1 : s.dim(0);
    int positions = s.rank() <= 1 ? 1 : s.size(1, s.rank());
    return new DiversityKernels.Dims(batch, units, positions);
  }

  boolean isEmpty() {
    return onDevice.isEmpty() && onHost.isEmpty();
  }

  /**
   * Adds every term's gradient into the plan's seed buffers (after the objectives wrote theirs).
   */
  void seed(DevicePlan plan) {
    for (OnDevice t : onDevice) {
      DeviceBuffer seed = plan.seedBuffer(t.layer());
      if (seed == null) continue; // no gradient flows from this layer to the input
      DiversityKernels.addGradient(
          device, t.dims(), plan.activationBuffer(t.layer()), seed, t.scratch(), t.weight());
    }
    for (BatchObjective t : onHost) seedOnHost(plan, t);
  }

  /**
   * The host fallback: copy the term's layers and seeds back, evaluate it, upload the seeds with
   * its gradient.
   */
  private void seedOnHost(DevicePlan plan, BatchObjective term) {
    Map<String, Tensor> acts = new HashMap<>();
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (String layer : term.layers()) {
      Tensor a = plan.activation(layer);
      acts.put(layer, a);
      grads.put(layer, Tensor.zeros(a.shape()));
    }
    List<SampleView> views = new ArrayList<>();
    for (int b = 0; b < batch; b++) views.add(new BatchSampleView(acts, grads, b));
    term.evaluate(views);
    // Read-modify-write per layer, so layers that share a seed buffer (aliases) add up.
    for (Map.Entry<String, Tensor> e : grads.entrySet()) {
      DeviceBuffer seed = plan.seedBuffer(e.getKey());
      float[] g = e.getValue().data();
      if (seed == null || g.length == 0) continue;
      float[] s = new float[g.length];
      device.copyToHost(seed, 0, s, 0, s.length);
      for (int i = 0; i < s.length; i++) s[i] += g[i];
      device.copyToDevice(s, 0, seed, 0, s.length);
    }
  }

  @Override
  public void close() {
    for (OnDevice t : onDevice) t.scratch().close();
  }
}
