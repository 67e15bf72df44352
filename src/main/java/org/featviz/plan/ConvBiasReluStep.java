package org.featviz.plan;

import java.util.List;
import org.featviz.device.ActivationMode;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.Device;
import org.featviz.ir.Node;

/**
 * A Conv and the Relu that is its only consumer, as one library call: y = relu(conv(x, w) + b)
 * ({@link org.featviz.device.DeviceLibrary#convolutionBiasActivationForward}, cuDNN's
 * cudnnConvolutionBiasActivationForward, in the plan's {@link MixedPrecision}), so the
 * convolution's own output never goes to memory. Inputs: x, w, b (the Conv's bias, or zeros where
 * it has none); the output is the Relu's. Backward, data gradient only: the ReLU's backward from y
 * (y > 0 exactly where the pre-activation is) into a scratch gradient, then convolution
 * backward-data from it. {@link Lowering} fuses only where the Conv's output is no plan target,
 * since targets keep their buffers.
 */
final class ConvBiasReluStep extends ConvolutionStep {
  private final Node relu;
  private final DeviceValue preActivationGrad;

  /**
   * @param scratch a value of the Conv output's shape: the gradient before the ReLU, during the
   *     backward only
   */
  ConvBiasReluStep(
      Node conv,
      Node relu,
      DeviceValue x,
      DeviceValue w,
      DeviceValue bias,
      DeviceValue y,
      DeviceValue scratch,
      ConvDescriptor d,
      MixedPrecision mixed) {
    super(conv, List.of(x, w, bias), y, d, mixed);
    this.relu = relu;
    this.preActivationGrad = scratch;
  }

  @Override
  String describe() {
    return "conv + bias + relu, fused with Relu '" + relu.output() + "': " + conv;
  }

  @Override
  boolean fused() {
    return true;
  }

  @Override
  void forward(Device device) {
    mixed.convolutionBiasActivationForward(
        conv,
        ActivationMode.RELU,
        inputBuffer(0),
        inputBuffer(1),
        inputBuffer(2),
        outputBuffer(),
        1f,
        0f);
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(
        input(1), output()); // w (permanent where it is an initializer) and y for the ReLU mask
  }

  @Override
  List<DeviceValue> backwardScratch() {
    return List.of(preActivationGrad);
  }

  @Override
  void backward(Device device) {
    if (gradIn(0) == null) return;
    // y stands in for the pre-activation: relu(z) > 0 exactly where z > 0, which is all ReLU's
    // backward reads.
    device
        .library()
        .activationBackward(
            ActivationMode.RELU,
            output().count(),
            outputBuffer(),
            outputBuffer(),
            gradOut().buffer(),
            preActivationGrad.buffer(),
            1f,
            0f);
    backwardData(preActivationGrad.buffer());
  }
}
