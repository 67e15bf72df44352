package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;
import org.featviz.ops.GatherSpec;

/**
 * Gather with constant indices by the gather kernels; the indices are a host weight of whole floats
 * (input 1, never differentiated). The backward sums dy back at the rows read.
 */
final class GatherStep extends DataGradientStep {
  private final GatherSpec.Layout g;

  GatherStep(Node node, DeviceValue x, DeviceValue index, DeviceValue y, GatherSpec.Layout g) {
    super(node, List.of(x, index), y);
    this.g = g;
  }

  @Override
  String describe() {
    return "gather " + g.indices().length + " of " + g.axisDim() + " rows, " + shapes();
  }

  @Override
  void forward(Device device) {
    CustomKernels.gatherForward(
        device,
        inputBuffer(0),
        outputBuffer(),
        inputBuffer(1),
        g.outer(),
        g.axisDim(),
        g.indices().length,
        g.inner());
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.gatherBackward(
        device,
        dy,
        dx,
        inputBuffer(1),
        g.outer(),
        g.axisDim(),
        g.indices().length,
        g.inner(),
        accumulate);
  }
}
