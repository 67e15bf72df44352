package org.featviz.plan;

import java.util.List;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;

/**
 * What a step around one library convolution needs ({@link ConvStep}, {@link ConvBiasReluStep}):
 * its geometry prepared once (cuDNN's algorithms, the workspace), its staging in 16-bit modes, and
 * the backward to x alone (the weights are frozen): the data gradient of a gradient at the
 * convolution's output. Inputs: x, w, then the bias.
 */
abstract class ConvolutionStep extends Step {
  final ConvDescriptor conv;
  final MixedPrecision mixed;

  ConvolutionStep(
      Node node,
      List<DeviceValue> inputs,
      DeviceValue y,
      ConvDescriptor conv,
      MixedPrecision mixed) {
    super(node, inputs, y);
    this.conv = conv;
    this.mixed = mixed;
  }

  @Override
  final void prepare(Device device) {
    mixed.convolutionPrepare(conv);
  }

  @Override
  final long stagingBytes() {
    return MixedPrecision.convolutionBytes(conv);
  }

  @Override
  final boolean differentiable(int input) {
    return input == 0;
  }

  /** gradIn(0) (+)= conv_backward_data(w, dz), dz the gradient at the convolution's output. */
  final void backwardData(DeviceBuffer dz) {
    mixed.convolutionBackwardData(conv, inputBuffer(1), dz, gradIn(0).buffer(), 1f, beta(0));
  }
}
