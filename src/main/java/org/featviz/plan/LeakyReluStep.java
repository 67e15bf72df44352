package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;

/** LeakyRelu by the leaky_relu kernels (cuDNN has no leaky ReLU); the backward reads x. */
final class LeakyReluStep extends DataGradientStep {
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
    CustomKernels.leakyReluForward(device, inputBuffer(0), outputBuffer(), output().count(), alpha);
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(0));
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.leakyReluBackward(
        device, inputBuffer(0), dy, dx, output().count(), alpha, accumulate);
  }
}
