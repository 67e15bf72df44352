package org.featviz.render.gpu;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Tensor;
import org.featviz.plan.DevicePlan;
import org.featviz.render.BatchSampleView;
import org.featviz.render.RenderTarget;

/**
 * The host fallback of {@link DeviceObjectives}, for the samples whose objective has no fused form
 * (an {@link org.featviz.objective.Objective} implemented outside {@code org.featviz.objective},
 * say): the activations of the layers they read are copied back for the whole batch, their
 * objectives evaluated as the CPU renderer does, and the gradients uploaded into the seed buffers.
 * Only batches with such samples pay for the round trip.
 */
final class HostObjectives {
  private final Device device;
  private final List<RenderTarget> targets;
  private final boolean[] onHost;
  private final Set<String> layers = new LinkedHashSet<>();

  /**
   * @param onHost which samples of {@code targets} are evaluated here
   */
  HostObjectives(Device device, List<RenderTarget> targets, boolean[] onHost) {
    this.device = device;
    this.targets = targets;
    this.onHost = onHost.clone();
    for (int b = 0; b < onHost.length; b++) {
      if (onHost[b]) layers.addAll(targets.get(b).objective().layers());
    }
  }

  boolean isEmpty() {
    return layers.isEmpty();
  }

  /**
   * Overwrites the seed buffers of the layers the host samples read with their gradients (zeros for
   * the other samples), so it must run before any kernel adds into those seeds.
   */
  void seed(DevicePlan plan) {
    if (isEmpty()) return;
    Map<String, Tensor> acts = new HashMap<>();
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (String layer : layers) {
      Tensor a = plan.activation(layer);
      acts.put(layer, a);
      grads.put(layer, Tensor.zeros(a.shape()));
    }
    for (int b = 0; b < onHost.length; b++) {
      if (onHost[b]) targets.get(b).objective().evaluate(new BatchSampleView(acts, grads, b));
    }
    // Aliased layers share a seed buffer: their gradients add up before the one upload.
    Map<DeviceBuffer, float[]> sums = new IdentityHashMap<>();
    for (Map.Entry<String, Tensor> e : grads.entrySet()) {
      DeviceBuffer seed = plan.seedBuffer(e.getKey());
      if (seed == null) continue;
      float[] g = e.getValue().data();
      float[] sum = sums.get(seed);
      if (sum == null) {
        sums.put(seed, g);
      } else {
        for (int i = 0; i < sum.length; i++) sum[i] += g[i];
      }
    }
    for (Map.Entry<DeviceBuffer, float[]> e : sums.entrySet()) {
      if (e.getValue().length > 0)
        device.copyToDevice(e.getValue(), 0, e.getKey(), 0, e.getValue().length);
    }
  }
}
