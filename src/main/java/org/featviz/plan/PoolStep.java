package org.featviz.plan;

import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.PoolDescriptor;
import org.featviz.ir.Node;

/**
 * MaxPool, AveragePool and GlobalAveragePool through the device library's pooling; the backward
 * reads the forward's input and output (cuDNN's pooling backward takes both). Padding cuDNN cannot
 * express arrives here already applied by a {@link PadStep}.
 */
final class PoolStep extends UnaryLibraryStep {
  private final PoolDescriptor pool;

  PoolStep(Node node, DeviceValue x, DeviceValue y, PoolDescriptor pool) {
    super(node, x, y);
    this.pool = pool;
  }

  @Override
  String describe() {
    return "pool " + pool;
  }

  @Override
  void forward(DeviceLibrary library, DeviceBuffer x, DeviceBuffer y) {
    library.poolingForward(pool, x, y, 1f, 0f);
  }

  @Override
  void backward(
      DeviceLibrary library,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float beta) {
    library.poolingBackward(pool, x, y, dy, dx, 1f, beta);
  }
}
