package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;

/**
 * LayerNormalization's Y by the layer_norm kernels of cuda/normalize.cu, one block per row of x
 * seen as [rows, cols]. Inputs: x, scale and the optional B (frozen: only x gets a gradient).
 * Backward: the statistics are recomputed from x, so the step keeps x and scale only.
 */
final class LayerNormStep extends DataGradientStep {
  private final int rows;
  private final int cols;
  private final float epsilon;

  LayerNormStep(Node node, List<DeviceValue> inputs, DeviceValue y, int rows, int cols, float eps) {
    super(node, inputs, y);
    this.rows = rows;
    this.cols = cols;
    this.epsilon = eps;
  }

  @Override
  String describe() {
    return "layer normalization, " + rows + " rows of " + cols + ", epsilon " + epsilon;
  }

  @Override
  void forward(Device device) {
    CustomKernels.layerNormForward(
        device,
        inputBuffer(0),
        inputBuffer(1),
        inputs().size() > 2 ? inputBuffer(2) : null,
        outputBuffer(),
        rows,
        cols,
        epsilon);
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(0), input(1));
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.layerNormBackward(
        device, inputBuffer(0), inputBuffer(1), dy, dx, rows, cols, epsilon, accumulate);
  }
}
