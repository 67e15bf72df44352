package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.ir.Node;
import org.featviz.plan.CustomKernels.ArithmeticOp;

/**
 * Add, Sub, Mul, Div, two-input Max and Min and PRelu (the slope broadcast to x) with ONNX
 * broadcasting (up to 6-D) by the arithmetic kernels. The backward gives each operand that needs
 * one its gradient, summed over the dimensions along which it was broadcast; Mul, Div, Max, Min and
 * PRelu read the operands, Add and Sub neither.
 */
final class ArithmeticStep extends Step {
  private final ArithmeticOp op;
  private final BroadcastGeometry geometry;

  ArithmeticStep(Node node, DeviceValue a, DeviceValue b, DeviceValue y, ArithmeticOp op) {
    super(node, List.of(a, b), y);
    this.op = op;
    this.geometry = BroadcastGeometry.of(a.shape(), b.shape(), y.shape());
  }

  @Override
  String describe() {
    return op.name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + input(0).shape()
        + " with "
        + input(1).shape();
  }

  @Override
  void forward(Device device) {
    CustomKernels.arithmeticForward(
        device, op, inputBuffer(0), inputBuffer(1), outputBuffer(), geometry);
  }

  @Override
  boolean differentiable(int input) {
    return true;
  }

  private boolean readsOperands() {
    return op != ArithmeticOp.ADD && op != ArithmeticOp.SUB;
  }

  /** Max and Min compare the operands, PRelu the sign of x: each gradient reads both. */
  private boolean comparesOperands() {
    return op == ArithmeticOp.MAX || op == ArithmeticOp.MIN || op == ArithmeticOp.PRELU;
  }

  /**
   * Mul's and Div's gradients read the other operand (Div's gradient of b reads both), Max's and
   * Min's both (which one won), PRelu's both (x's sign and the slope); Add's and Sub's neither.
   */
  @Override
  List<DeviceValue> savedForBackward() {
    if (!readsOperands()) return List.of();
    if (comparesOperands())
      return gradIn(0) == null && gradIn(1) == null ? List.of() : List.of(input(0), input(1));
    java.util.Set<DeviceValue> saved = new java.util.LinkedHashSet<>();
    if (gradIn(0) != null) saved.add(input(1));
    if (gradIn(1) != null) {
      saved.add(input(0));
      if (op == ArithmeticOp.DIV) saved.add(input(1));
    }
    return List.copyOf(saved);
  }

  @Override
  void backward(Device device) {
    var dy = gradOut().buffer();
    // Add and Sub never read the operands: dy stands in for them, so no operand needs to be kept.
    var a = readsOperands() ? inputBuffer(0) : dy;
    var b = readsOperands() ? inputBuffer(1) : dy;
    for (int wrt = 0; wrt < 2; wrt++) {
      if (gradIn(wrt) == null) continue;
      CustomKernels.arithmeticBackward(
          device, op, wrt, dy, a, b, gradIn(wrt).buffer(), geometry, accumulate(wrt), 1f);
    }
  }
}
