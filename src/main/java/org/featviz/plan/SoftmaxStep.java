package org.featviz.plan;

import java.util.List;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.SoftmaxDescriptor;
import org.featviz.ir.Node;

/**
 * Softmax through the device library, the input seen as [outer, length, inner] (cuDNN's channel
 * mode); the backward reads y.
 */
final class SoftmaxStep extends UnaryLibraryStep {
  private final SoftmaxDescriptor softmax;

  SoftmaxStep(Node node, DeviceValue x, DeviceValue y, SoftmaxDescriptor softmax) {
    super(node, x, y);
    this.softmax = softmax;
  }

  @Override
  String describe() {
    return "softmax " + softmax;
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(output());
  }

  @Override
  void forward(DeviceLibrary library, DeviceBuffer x, DeviceBuffer y) {
    library.softmaxForward(softmax, x, y, 1f, 0f);
  }

  /** Softmax's backward reads y and dy only. */
  @Override
  void backward(
      DeviceLibrary library,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float beta) {
    library.softmaxBackward(softmax, y, dy, dx, 1f, beta);
  }
}
