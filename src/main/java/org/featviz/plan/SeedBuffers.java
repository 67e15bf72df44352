package org.featviz.plan;

import java.util.List;
import java.util.Map;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Tensor;

/**
 * The gradient seeds of a {@link DevicePlan}'s targets: the gradient storages the backward starts
 * from, one per target storage that a gradient input depends on (targets that alias one another
 * share one, so their seeds add up). The render loop writes them on the device ({@link #buffer},
 * {@link #clear}); the host API uploads them ({@link #write}).
 */
final class SeedBuffers {
  /**
   * Seeded gradient storages and the targets whose seeds go into each; empty for a forward-only
   * plan.
   */
  private final Map<Storage, List<DeviceValue>> seeded;

  SeedBuffers(BackwardWiring wiring) {
    this.seeded = wiring == null ? Map.of() : wiring.seeded();
  }

  /**
   * The buffer target {@code v}'s seed goes into, or null where no gradient flows from it to a
   * gradient input.
   */
  DeviceBuffer buffer(DeviceValue v) {
    for (Map.Entry<Storage, List<DeviceValue>> e : seeded.entrySet()) {
      if (e.getValue().contains(v)) return e.getKey().buffer();
    }
    return null;
  }

  /** Sets every seed buffer to zero. */
  void clear(Device device) {
    for (Storage g : seeded.keySet())
      if (g.bytes() > 0) device.memsetZero(g.buffer(), 0, g.bytes());
  }

  /**
   * Uploads the seeds: those of targets sharing a storage are summed on the host, absent ones are
   * zeros.
   */
  void write(Device device, Map<String, Tensor> seeds) {
    for (Map.Entry<Storage, List<DeviceValue>> e : seeded.entrySet()) {
      float[] sum = null;
      for (DeviceValue t : e.getValue()) {
        Tensor seed = seeds.get(t.name());
        if (seed == null) continue;
        if (seed.size() != t.count()) {
          throw new IllegalArgumentException(
              "gradient seed for '"
                  + t.name()
                  + "' has shape "
                  + seed.shape()
                  + ", expected "
                  + t.shape());
        }
        if (sum == null) {
          sum = seed.data().clone();
        } else {
          float[] s = seed.data();
          for (int i = 0; i < sum.length; i++) sum[i] += s[i];
        }
      }
      DeviceBuffer buffer = e.getKey().buffer();
      long bytes = e.getKey().bytes();
      if (sum == null) {
        if (bytes > 0) device.memsetZero(buffer, 0, bytes);
      } else if (sum.length > 0) {
        device.copyToDevice(sum, 0, buffer, 0, sum.length);
      }
    }
  }
}
