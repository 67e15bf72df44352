package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;
import org.featviz.ops.SoftmaxSpec;

/** LogSoftmax along one axis by the log_softmax kernels of cuda/reduce.cu; the backward reads y. */
final class LogSoftmaxStep extends DataGradientStep {
  private final SoftmaxSpec.Layout g;

  LogSoftmaxStep(Node node, DeviceValue x, DeviceValue y, SoftmaxSpec.Layout g) {
    super(node, List.of(x), y);
    this.g = g;
  }

  @Override
  String describe() {
    return "log softmax [" + g.outer() + ", " + g.length() + ", " + g.inner() + "]";
  }

  @Override
  void forward(Device device) {
    CustomKernels.logSoftmaxForward(
        device, inputBuffer(0), outputBuffer(), g.outer(), g.length(), g.inner());
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(output());
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.logSoftmaxBackward(
        device, outputBuffer(), dy, dx, g.outer(), g.length(), g.inner(), accumulate);
  }
}
