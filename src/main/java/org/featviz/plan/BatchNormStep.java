package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.ir.Node;

/**
 * Inference-mode BatchNormalization (normally folded into the convolution before it; this runs
 * where it is not) as a per-channel affine map by the batch_norm kernels: y = (x - mean[c]) a[c] +
 * B[c], a = scale / sqrt(var + epsilon). Inputs: x, scale, B, mean, var (constants, or graph
 * inputs: the statistics get no gradient). Backward: dx = dy a[c], reading scale and var.
 */
final class BatchNormStep extends Step {
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
        input(0).buffer(),
        input(1).buffer(),
        input(2).buffer(),
        input(3).buffer(),
        input(4).buffer(),
        output().buffer(),
        output().count(),
        channels,
        inner,
        epsilon);
  }

  @Override
  boolean differentiable(int input) {
    return input == 0;
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(1), input(4));
  }

  @Override
  void backward(Device device) {
    if (gradIn(0) == null) return;
    CustomKernels.batchNormBackward(
        device,
        gradOut().buffer(),
        input(1).buffer(),
        input(4).buffer(),
        gradIn(0).buffer(),
        output().count(),
        channels,
        inner,
        epsilon,
        accumulate(0));
  }
}
