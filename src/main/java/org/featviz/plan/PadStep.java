package org.featviz.plan;

import java.util.Arrays;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;
import org.featviz.plan.CustomKernels.PadMode;

/**
 * Pad by the pad_forward kernel, for ONNX Pad (constant, reflect, edge, wrap) and for the explicit
 * padding a lowering puts before a convolution or pooling whose padding cuDNN cannot express
 * (zeros, or minus infinity before a max pool). Inputs: x and the fill value (a one-element device
 * value: the node's constant or graph input, or a constant the lowering makes; read in constant
 * mode only, never differentiated). Backward in constant mode only: the gradient is the slice of dy
 * that x occupies.
 */
final class PadStep extends DataGradientStep {
  private final PadMode mode;
  private final int[] begin;

  PadStep(Node node, DeviceValue x, DeviceValue value, DeviceValue y, PadMode mode, int[] begin) {
    super(node, java.util.List.of(x, value), y);
    this.mode = mode;
    this.begin = begin.clone();
  }

  @Override
  String describe() {
    return "pad "
        + mode.name().toLowerCase(java.util.Locale.ROOT)
        + " by "
        + Arrays.toString(begin)
        + " before, "
        + shapes();
  }

  @Override
  void forward(Device device) {
    CustomKernels.padForward(
        device,
        inputBuffer(0),
        outputBuffer(),
        mode,
        inputBuffer(1),
        input(0).shape().dims(),
        begin,
        output().shape().dims());
  }

  @Override
  boolean differentiable(int input) {
    return input == 0 && mode == PadMode.CONSTANT;
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.padBackwardConstant(
        device, dy, dx, input(0).shape().dims(), begin, output().shape().dims(), accumulate);
  }
}
