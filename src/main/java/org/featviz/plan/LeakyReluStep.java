package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.ir.Node;

/** LeakyRelu by the leaky_relu kernels (cuDNN has no leaky ReLU); the backward reads x. */
final class LeakyReluStep extends Step {
  private final float alpha;

  LeakyReluStep(Node node, DeviceValue x, DeviceValue y, float alpha) {
    super(node, List.of(x), y);
    this.alpha = alpha;
  }

  @Override
  String describe() {
    return "leaky relu, alpha " + alpha;
  }

  @Override
  void forward(Device device) {
    CustomKernels.leakyReluForward(
        device, input(0).buffer(), output().buffer(), output().count(), alpha);
  }

  @Override
  boolean differentiable(int input) {
    return true;
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(0));
  }

  @Override
  void backward(Device device) {
    if (gradIn(0) == null) return;
    CustomKernels.leakyReluBackward(
        device,
        input(0).buffer(),
        gradOut().buffer(),
        gradIn(0).buffer(),
        output().count(),
        alpha,
        accumulate(0));
  }
}
