package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.SoftmaxDescriptor;
import org.featviz.ir.Node;

/**
 * Softmax through the device library, the input seen as [outer, length, inner] (cuDNN's channel mode); the
 * backward reads y.
 */
final class SoftmaxStep extends Step {
  private final SoftmaxDescriptor softmax;

  SoftmaxStep(Node node, DeviceValue x, DeviceValue y, SoftmaxDescriptor softmax) {
    super(node, List.of(x), y);
    this.softmax = softmax;
  }

  @Override
  String describe() {
    return "softmax " + softmax;
  }

  @Override
  void forward(Device device) {
    device.library().softmaxForward(softmax, input(0).buffer(), output().buffer(), 1f, 0f);
  }

  @Override
  boolean differentiable(int input) {
    return true;
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(output());
  }

  @Override
  void backward(Device device) {
    if (gradIn(0) == null) return;
    device.library().softmaxBackward(softmax, output().buffer(), gradOut().buffer(), gradIn(0).buffer(), 1f, beta(0));
  }
}
