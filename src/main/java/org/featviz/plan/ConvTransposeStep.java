package org.featviz.plan;

import java.util.List;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.Device;
import org.featviz.ir.Node;

/**
 * ConvTranspose through the device library: a transposed convolution's forward is the backward-data
 * of the convolution {@code conv} that maps y's shape to x's (input channels M, output channels C,
 * ONNX's C x M/group weight as its filter), so y = conv_backward_data(w, x) (+ bias per channel, by
 * bias_add), and the gradient of x is that convolution's forward of dy. Inputs: x, w, and the bias
 * where the node has one.
 */
final class ConvTransposeStep extends ConvolutionStep {
  private final boolean hasBias;

  ConvTransposeStep(
      Node node,
      DeviceValue x,
      DeviceValue w,
      DeviceValue bias,
      DeviceValue y,
      ConvDescriptor conv,
      MixedPrecision mixed) {
    super(node, present(x, w, bias), y, conv, mixed);
    this.hasBias = bias != null;
  }

  @Override
  String describe() {
    return "conv transpose (backward data of " + conv + ")";
  }

  @Override
  void forward(Device device) {
    mixed.convolutionBackwardData(conv, inputBuffer(1), inputBuffer(0), outputBuffer(), 1f, 0f);
    if (hasBias) {
      int plane = output().shape().size(2, output().shape().rank());
      CustomKernels.biasAdd(
          device, outputBuffer(), inputBuffer(2), output().count(), conv.c(), plane, 1f);
    }
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(1)); // w (permanent where it is an initializer)
  }

  @Override
  void backward(Device device) {
    if (gradIn(0) != null)
      mixed.convolutionForward(
          conv, gradOut().buffer(), inputBuffer(1), gradIn(0).buffer(), 1f, beta(0));
  }
}
