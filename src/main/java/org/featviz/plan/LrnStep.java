package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.LrnDescriptor;
import org.featviz.ir.Node;

/** LRN across channels through the device library; the backward reads x and y. */
final class LrnStep extends Step {
  private final LrnDescriptor lrn;

  LrnStep(Node node, DeviceValue x, DeviceValue y, LrnDescriptor lrn) {
    super(node, List.of(x), y);
    this.lrn = lrn;
  }

  @Override
  String describe() {
    return "lrn " + lrn;
  }

  @Override
  void forward(Device device) {
    device.library().lrnForward(lrn, input(0).buffer(), output().buffer(), 1f, 0f);
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
    if (gradIn(0) == null) return;
    device.library().lrnBackward(lrn, input(0).buffer(), output().buffer(), gradOut().buffer(), gradIn(0).buffer(), 1f,
        beta(0));
  }
}
