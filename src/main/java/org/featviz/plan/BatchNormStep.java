package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;

/**
 * Inference-mode BatchNormalization (normally folded into the convolution before it; this runs
 * where it is not) as a per-channel affine map by the batch_norm kernels: y = (x - mean[c]) a[c] +
 * B[c], a = scale / sqrt(var + epsilon). Inputs: x, scale, B, mean, var (constants, or graph
 * inputs: the statistics get no gradient). Backward: dx = dy a[c], reading scale and var.
 */
final class BatchNormStep extends DataGradientStep {
  private final int channels;
  private final int inner;
  private final float epsilon;

  BatchNormStep(Node node, List<DeviceValue> inputs, DeviceValue y, float epsilon) {
    super(node, inputs, y);
    DeviceValue x = inputs.get(0);
    this.channels = x.shape().dim(1);
    this.inner = x.shape().size(2, x.shape().rank());
    this.epsilon = epsilon;
  }

  @Override
  String describe() {
    return "batch normalization (per-channel affine), "
        + channels
        + " channels, epsilon "
        + epsilon;
  }

  @Override
  void forward(Device device) {
    CustomKernels.batchNormForward(
        device,
        inputBuffer(0),
        inputBuffer(1),
        inputBuffer(2),
        inputBuffer(3),
        inputBuffer(4),
        outputBuffer(),
        output().count(),
        channels,
        inner,
        epsilon);
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(1), input(4));
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.batchNormBackward(
        device,
        dy,
        inputBuffer(1),
        inputBuffer(4),
        dx,
        output().count(),
        channels,
        inner,
        epsilon,
        accumulate);
  }
}
