package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;

/**
 * Clip by the clip kernels. Inputs: x, min, max, each bound a one-element device value (the node's
 * constant or graph input, or a constant the lowering makes from the attributes or the defaults);
 * the bounds get no gradient. The backward reads x and the bounds and passes the gradient where min
 * < x < max.
 */
final class ClipStep extends DataGradientStep {
  ClipStep(Node node, DeviceValue x, DeviceValue min, DeviceValue max, DeviceValue y) {
    super(node, List.of(x, min, max), y);
  }

  @Override
  String describe() {
    return "clip to [" + input(1).name() + ", " + input(2).name() + "]";
  }

  @Override
  void forward(Device device) {
    CustomKernels.clipForward(
        device, inputBuffer(0), outputBuffer(), output().count(), inputBuffer(1), inputBuffer(2));
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(0), input(1), input(2));
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.clipBackward(
        device,
        inputBuffer(0),
        dy,
        dx,
        output().count(),
        inputBuffer(1),
        inputBuffer(2),
        accumulate);
  }
}
