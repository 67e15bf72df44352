package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;

/**
 * A step whose backward writes one gradient, its first input's (the data: bounds, fill values and
 * statistics among its other inputs get none); nothing runs where that gradient is not wanted.
 */
abstract class DataGradientStep extends Step {
  DataGradientStep(Node node, List<DeviceValue> inputs, DeviceValue y) {
    super(node, inputs, y);
  }

  @Override
  boolean differentiable(int input) {
    return input == 0;
  }

  /** dx = (or +=, where {@code accumulate}) the gradient of input 0 from dy. */
  abstract void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate);

  @Override
  final void backward(Device device) {
    if (gradIn(0) != null) backward(device, gradOut().buffer(), gradIn(0).buffer(), accumulate(0));
  }
}
