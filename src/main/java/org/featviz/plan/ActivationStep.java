package org.featviz.plan;

import java.util.List;
import org.featviz.device.ActivationMode;
import org.featviz.device.Device;
import org.featviz.ir.Node;

/** Relu, Sigmoid and Tanh through the device library; the backward reads x and y (cuDNN takes both). */
final class ActivationStep extends Step {
  private final ActivationMode mode;

  ActivationStep(Node node, DeviceValue x, DeviceValue y, ActivationMode mode) {
    super(node, List.of(x), y);
    this.mode = mode;
  }

  @Override
  String describe() {
    return "activation " + mode + " over " + output().count() + " elements";
  }

  @Override
  void forward(Device device) {
    if (output().count() == 0) return;
    device.library().activationForward(mode, output().count(), input(0).buffer(), output().buffer(), 1f, 0f);
  }

  @Override
  boolean differentiable(int input) {
    return true;
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(0), output());
  }

  @Override
  void backward(Device device) {
    if (gradIn(0) == null || output().count() == 0) return;
    device.library().activationBackward(mode, output().count(), input(0).buffer(), output().buffer(),
        gradOut().buffer(), gradIn(0).buffer(), 1f, beta(0));
  }
}
