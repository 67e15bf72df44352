package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.ir.Node;

/**
 * A step that is one device library operation on one input, y = op(x), whose backward is the
 * library's too and reads x and y (cuDNN's backward calls take both): {@link ActivationStep},
 * {@link PoolStep}, {@link LrnStep}, and {@link SoftmaxStep} (which reads only y). Nothing runs for
 * an empty output.
 */
abstract class UnaryLibraryStep extends Step {
  UnaryLibraryStep(Node node, DeviceValue x, DeviceValue y) {
    super(node, List.of(x), y);
  }

  /** y = op(x), overwriting y. */
  abstract void forward(DeviceLibrary library, DeviceBuffer x, DeviceBuffer y);

  /** dx = op'(x, y) dy + beta dx. */
  abstract void backward(
      DeviceLibrary library,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float beta);

  @Override
  final void forward(Device device) {
    if (output().count() == 0) return;
    forward(device.library(), input(0).buffer(), output().buffer());
  }

  @Override
  final boolean differentiable(int input) {
    return true;
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(0), output());
  }

  @Override
  final void backward(Device device) {
    if (gradIn(0) == null || output().count() == 0) return;
    backward(
        device.library(),
        input(0).buffer(),
        output().buffer(),
        gradOut().buffer(),
        gradIn(0).buffer(),
        beta(0));
  }
}
