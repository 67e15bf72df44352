package org.featviz.plan;

import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.LrnDescriptor;
import org.featviz.ir.Node;

/** LRN across channels through the device library; the backward reads x and y. */
final class LrnStep extends UnaryLibraryStep {
  private final LrnDescriptor lrn;

  LrnStep(Node node, DeviceValue x, DeviceValue y, LrnDescriptor lrn) {
    super(node, x, y);
    this.lrn = lrn;
  }

  @Override
  String describe() {
    return "lrn " + lrn;
  }

  @Override
  void forward(DeviceLibrary library, DeviceBuffer x, DeviceBuffer y) {
    library.lrnForward(lrn, x, y, 1f, 0f);
  }

  @Override
  void backward(
      DeviceLibrary library,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float beta) {
    library.lrnBackward(lrn, x, y, dy, dx, 1f, beta);
  }
}
