package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;

/**
 * InstanceNormalization by the instance_norm kernels of cuda/reduce.cu (a block per (n, c) group).
 * Inputs: x, scale, B (weights: no gradient). The backward recomputes each group's statistics from
 * x, so it keeps x and scale.
 */
final class InstanceNormStep extends DataGradientStep {
  private final int groups;
  private final int channels;
  private final int size;
  private final float epsilon;

  InstanceNormStep(Node node, List<DeviceValue> inputs, DeviceValue y, float epsilon) {
    super(node, inputs, y);
    var s = inputs.get(0).shape();
    this.channels = s.dim(1);
    this.groups = s.dim(0) * channels;
    this.size = s.size(2, s.rank());
    this.epsilon = epsilon;
  }

  @Override
  String describe() {
    return "instance normalization, " + groups + " groups of " + size + ", epsilon " + epsilon;
  }

  @Override
  void forward(Device device) {
    CustomKernels.instanceNormForward(
        device,
        inputBuffer(0),
        inputBuffer(1),
        inputBuffer(2),
        outputBuffer(),
        groups,
        channels,
        size,
        epsilon);
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(0), input(1));
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.instanceNormBackward(
        device,
        inputBuffer(0),
        inputBuffer(1),
        dy,
        dx,
        groups,
        channels,
        size,
        epsilon,
        accumulate);
  }
}
