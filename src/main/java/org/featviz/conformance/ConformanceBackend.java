package org.featviz.conformance;

import java.util.List;
import java.util.Map;
import org.featviz.cpu.CpuExecutor;
import org.featviz.device.Device;
import org.featviz.ir.Graph;
import org.featviz.ir.Tensor;
import org.featviz.plan.DeviceExecutor;

/**
 * What runs a conformance case's graph (simplified, shapes inferred): the CPU executor by default,
 * or a device plan on an {@link Device} (the host emulator, or a GPU). Returns the computed outputs
 * by name.
 */
@FunctionalInterface
public interface ConformanceBackend {
  Map<String, Tensor> forward(Graph graph, Map<String, Tensor> feeds, List<String> outputs);

  /** The CPU reference backend. */
  ConformanceBackend CPU =
      (graph, feeds, outputs) -> new CpuExecutor(graph).forward(feeds, outputs).values();

  /** Forward-only device plans on {@code device} (one per data set, freed after it). */
  static ConformanceBackend device(Device device) {
    return (graph, feeds, outputs) -> {
      try (DeviceExecutor exec = DeviceExecutor.forwardOnly(device, graph)) {
        return exec.forward(feeds, outputs);
      }
    };
  }
}
