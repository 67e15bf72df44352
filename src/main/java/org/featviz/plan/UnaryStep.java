package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;
import org.featviz.ops.UnaryFunction;

/**
 * A {@link UnaryFunction} op (Erf, Exp, Elu, Pow with a constant exponent, ...) by the unary
 * kernels; the backward reads x.
 */
final class UnaryStep extends DataGradientStep {
  private final UnaryFunction f;
  private final float p;
  private final float q;

  UnaryStep(Node node, DeviceValue x, DeviceValue y, UnaryFunction f, float p, float q) {
    super(node, List.of(x), y);
    this.f = f;
    this.p = p;
    this.q = q;
  }

  @Override
  String describe() {
    return f + ", parameters " + p + ", " + q;
  }

  @Override
  void forward(Device device) {
    CustomKernels.unaryForward(device, f, inputBuffer(0), outputBuffer(), output().count(), p, q);
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(0));
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.unaryBackward(
        device, f, inputBuffer(0), dy, dx, output().count(), p, q, accumulate);
  }
}
