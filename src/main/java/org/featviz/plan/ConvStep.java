package org.featviz.plan;

import java.util.List;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.Device;
import org.featviz.ir.Node;

/**
 * Conv through the device library (in the plan's {@link MixedPrecision}): y = conv(x, w) (+ bias
 * per output channel, by the bias_add kernel); backward the data gradient only (weights are
 * frozen). Inputs: x, w, and the bias where the node has one. ONNX's asymmetric padding arrives
 * here already applied by a {@link PadStep}; 1-D convolutions as 2-D with H = 1.
 */
final class ConvStep extends ConvolutionStep {
  private final boolean hasBias;

  ConvStep(
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
    return "conv " + conv;
  }

  @Override
  void forward(Device device) {
    mixed.convolutionForward(conv, inputBuffer(0), inputBuffer(1), outputBuffer(), 1f, 0f);
    if (hasBias) {
      int plane = output().shape().size(2, output().shape().rank());
      CustomKernels.biasAdd(
          device, outputBuffer(), inputBuffer(2), output().count(), conv.k(), plane, 1f);
    }
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(1)); // w (permanent where it is an initializer)
  }

  @Override
  void backward(Device device) {
    if (gradIn(0) != null) backwardData(gradOut().buffer());
  }
}
