package org.featviz.render.gpu;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.analysis.RepresentativeSubstitution;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.OwnedBuffers;
import org.featviz.ir.Shape;
import org.featviz.plan.DevicePlan;
import org.featviz.render.RenderTarget;

/**
 * The Representative Substitution counts of a batch's target units on the device, per layer that
 * holds target units: the unit each sample asks for (int[B], -1 for a sample whose target is
 * elsewhere) and the counts int[B, 2] the kernels write ({@link ObjectiveKernels.RsCount}). The
 * unit objective launches count their samples while they seed ({@link DeviceObjectives}); {@link
 * #read} counts the rest with the count-only kernel and brings the counts back (2B ints per layer).
 */
final class DeviceRs implements AutoCloseable {
  private record Layer(
      String name,
      TargetLayer geometry,
      int[] units,
      ObjectiveKernels.RsCount buffers,
      DeviceBuffer rest) {}

  private final Device device;
  private final int batch;
  private final Map<String, Layer> layers = new LinkedHashMap<>();
  private final OwnedBuffers owned;

  /**
   * @param layerShapes each target layer's batch shape [B, ...] in the plan
   */
  DeviceRs(Device device, List<RenderTarget> targets, Map<String, Shape> layerShapes) {
    this.device = device;
    this.owned = new OwnedBuffers(device);
    this.batch = targets.size();
    try {
      Map<String, int[]> units = new LinkedHashMap<>();
      for (int b = 0; b < batch; b++) {
        RenderTarget t = targets.get(b);
        if (!t.hasUnit()) continue;
        int[] u =
            units.computeIfAbsent(
                t.layer(),
                l -> {
                  int[] none = new int[batch];
                  Arrays.fill(none, -1);
                  return none;
                });
        u[b] = t.unit();
      }
      for (Map.Entry<String, int[]> e : units.entrySet()) {
        Shape shape = layerShapes.get(e.getKey());
        if (shape == null)
          throw new IllegalArgumentException("no shape for target layer '" + e.getKey() + "'");
        DeviceBuffer unitBuffer = owned.ints(batch);
        device.copyToDevice(e.getValue(), unitBuffer);
        layers.put(
            e.getKey(),
            new Layer(
                e.getKey(),
                TargetLayer.of(shape),
                e.getValue(),
                new ObjectiveKernels.RsCount(unitBuffer, owned.ints(2L * batch)),
                owned.ints(batch)));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Marks every count unwritten (-1, as a non-finite mean reads) before the launches of a counting
   * step, so a sample no kernel counted can never show an earlier step's counts.
   */
  void clear() {
    int[] none = new int[2 * batch];
    Arrays.fill(none, -1);
    for (Layer l : layers.values()) device.copyToDevice(none, l.buffers().counts());
  }

  /** The buffers of the layer's counts, or null where no target unit is on it. */
  ObjectiveKernels.RsCount on(String layer) {
    Layer l = layers.get(layer);
    return l == null ? null : l.buffers();
  }

  /** The unit sample b asks RS of on the layer, or -1. */
  int unit(String layer, int b) {
    Layer l = layers.get(layer);
    return l == null ? -1 : l.units()[b];
  }

  /**
   * Counts, on the plan's activations, every target unit not {@code counted} by a launch since
   * {@link #clear}, and returns each sample's counts (null for a target without a unit, or where a
   * mean of the layer is not finite).
   */
  RepresentativeSubstitution[] read(DevicePlan plan, boolean[] counted) {
    RepresentativeSubstitution[] out = new RepresentativeSubstitution[batch];
    for (Layer l : layers.values()) {
      int[] rest = new int[batch];
      boolean any = false;
      for (int b = 0; b < batch; b++) {
        rest[b] = counted[b] ? -1 : l.units()[b];
        any |= rest[b] >= 0;
      }
      if (any) {
        device.copyToDevice(rest, l.rest());
        ObjectiveKernels.rsCount(
            device,
            l.geometry(),
            plan.activationBuffer(l.name()),
            new ObjectiveKernels.RsCount(l.rest(), l.buffers().counts()));
      }
      int[] counts = new int[2 * batch];
      device.copyToHost(l.buffers().counts(), 0, counts, 0, counts.length);
      for (int b = 0; b < batch; b++) {
        if (l.units()[b] < 0 || counts[2 * b] < 0) continue;
        out[b] =
            new RepresentativeSubstitution(counts[2 * b], counts[2 * b + 1], l.geometry().units());
      }
    }
    return out;
  }

  @Override
  public void close() {
    owned.close();
  }
}
