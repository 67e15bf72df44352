package org.featviz.plan;

import java.util.List;
import org.featviz.device.ActivationDescriptor;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.PoolDescriptor;
import org.featviz.device.UnaryDescriptor;
import org.featviz.ir.Node;

/**
 * One device library operation on one input, y = op(x), and the library's backward of it: Relu,
 * Sigmoid and Tanh (an {@link ActivationDescriptor}), MaxPool, AveragePool and GlobalAveragePool
 * ({@link PoolDescriptor}; padding cuDNN cannot express arrives already applied by a {@link
 * PadStep}), LRN across channels, and Softmax on the [outer, length, inner] view (cuDNN's channel
 * mode). The backward reads x and y (cuDNN's backward calls take both), softmax's y only. Nothing
 * runs for an empty output.
 */
final class UnaryLibraryStep extends DataGradientStep {
  private final UnaryDescriptor op;

  UnaryLibraryStep(Node node, DeviceValue x, DeviceValue y, UnaryDescriptor op) {
    super(node, List.of(x), y);
    this.op = op;
  }

  @Override
  String describe() {
    if (op instanceof ActivationDescriptor a)
      return "activation " + a.mode() + " over " + a.count() + " elements";
    return (op instanceof PoolDescriptor ? "pool" : op.operation()) + " " + op;
  }

  @Override
  void forward(Device device) {
    if (output().count() == 0) return;
    device.library().forward(op, inputBuffer(0), outputBuffer(), 1f, 0f);
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return op.backwardReadsX() ? List.of(input(0), output()) : List.of(output());
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    if (output().count() == 0) return;
    DeviceBuffer x = op.backwardReadsX() ? inputBuffer(0) : null;
    device.library().backward(op, x, outputBuffer(), dy, dx, 1f, accumulate ? 1f : 0f);
  }
}
