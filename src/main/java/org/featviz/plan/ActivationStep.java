package org.featviz.plan;

import org.featviz.device.ActivationMode;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.ir.Node;

/**
 * Relu, Sigmoid and Tanh through the device library; the backward reads x and y (cuDNN takes both).
 */
final class ActivationStep extends UnaryLibraryStep {
  private final ActivationMode mode;

  ActivationStep(Node node, DeviceValue x, DeviceValue y, ActivationMode mode) {
    super(node, x, y);
    this.mode = mode;
  }

  @Override
  String describe() {
    return "activation " + mode + " over " + output().count() + " elements";
  }

  @Override
  void forward(DeviceLibrary library, DeviceBuffer x, DeviceBuffer y) {
    library.activationForward(mode, output().count(), x, y, 1f, 0f);
  }

  @Override
  void backward(
      DeviceLibrary library,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float beta) {
    library.activationBackward(mode, output().count(), x, y, dy, dx, 1f, beta);
  }
}
