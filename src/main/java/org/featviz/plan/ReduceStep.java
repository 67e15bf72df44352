package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;
import org.featviz.plan.CustomKernels.ReduceOp;

/**
 * ReduceSum, ReduceMean, ReduceMax over any axes (up to 6-D) by the axis-reduction kernels. Only
 * ReduceMax's backward reads x (its gradient goes to each group's first maximum).
 */
final class ReduceStep extends DataGradientStep {
  private final ReduceOp op;
  private final boolean[] reduced;

  ReduceStep(Node node, DeviceValue x, DeviceValue y, ReduceOp op, boolean[] reduced) {
    super(node, List.of(x), y);
    this.op = op;
    this.reduced = reduced.clone();
  }

  @Override
  String describe() {
    return "reduce " + op.name().toLowerCase(java.util.Locale.ROOT) + " " + shapes();
  }

  @Override
  void forward(Device device) {
    CustomKernels.reduceAxesForward(
        device, op, inputBuffer(0), outputBuffer(), input(0).shape().dims(), reduced);
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return op == ReduceOp.MAX ? List.of(input(0)) : List.of();
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    // Sum and mean never read x: dy stands in for it, so x need not be kept.
    DeviceBuffer x = op == ReduceOp.MAX ? inputBuffer(0) : dy;
    CustomKernels.reduceAxesBackward(
        device, op, x, dy, dx, input(0).shape().dims(), reduced, accumulate);
  }
}
