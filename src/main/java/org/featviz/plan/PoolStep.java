package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.PoolDescriptor;
import org.featviz.ir.Node;

/**
 * MaxPool, AveragePool and GlobalAveragePool through the device library's pooling; the backward reads the
 * forward's input and output (cuDNN's pooling backward takes both). Padding cuDNN cannot express arrives here
 * already applied by a {@link PadStep}.
 */
final class PoolStep extends Step {
  private final PoolDescriptor pool;

  PoolStep(Node node, DeviceValue x, DeviceValue y, PoolDescriptor pool) {
    super(node, List.of(x), y);
    this.pool = pool;
  }

  @Override
  String describe() {
    return "pool " + pool;
  }

  @Override
  void forward(Device device) {
    device.library().poolingForward(pool, input(0).buffer(), output().buffer(), 1f, 0f);
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
    device.library().poolingBackward(pool, input(0).buffer(), output().buffer(), gradOut().buffer(), gradIn(0).buffer(),
        1f, beta(0));
  }
}
