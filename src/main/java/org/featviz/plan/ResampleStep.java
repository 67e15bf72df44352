package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;

/**
 * Resize / Upsample along one axis by the resample kernels of cuda/layout.cu; the taps (input 1)
 * are a host weight, never differentiated. A node that resizes several axes is one step per axis.
 */
final class ResampleStep extends DataGradientStep {
  private final int outer;
  private final int inLen;
  private final int outLen;
  private final int inner;

  ResampleStep(Node node, DeviceValue x, DeviceValue taps, DeviceValue y, int axis) {
    super(node, List.of(x, taps), y);
    var s = x.shape();
    this.outer = s.size(0, axis);
    this.inLen = s.dim(axis);
    this.outLen = y.shape().dim(axis);
    this.inner = s.size(axis + 1, s.rank());
  }

  @Override
  String describe() {
    return "resample "
        + inLen
        + " -> "
        + outLen
        + ", "
        + input(0).shape()
        + " -> "
        + output().shape();
  }

  @Override
  void forward(Device device) {
    CustomKernels.resampleForward(
        device, inputBuffer(0), outputBuffer(), inputBuffer(1), outer, inLen, outLen, inner);
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.resampleBackward(
        device, dy, dx, inputBuffer(1), outer, inLen, outLen, inner, accumulate);
  }
}
