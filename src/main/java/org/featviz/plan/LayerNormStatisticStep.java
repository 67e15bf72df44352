package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;
import org.featviz.plan.CustomKernels.LayerNormStatistic;

/**
 * LayerNormalization's optional output Mean or InvStdDev (one value per row), by
 * layer_norm_statistic; lowered only where a node or a target reads it. Backward: x's gradient
 * through the statistic (layer_norm_statistic_backward, recomputing the row's statistics from x).
 */
final class LayerNormStatisticStep extends DataGradientStep {
  private final LayerNormStatistic which;
  private final int rows;
  private final int cols;
  private final float epsilon;

  LayerNormStatisticStep(
      Node node,
      DeviceValue x,
      DeviceValue out,
      LayerNormStatistic which,
      int rows,
      int cols,
      float eps) {
    super(node, List.of(x), out);
    this.which = which;
    this.rows = rows;
    this.cols = cols;
    this.epsilon = eps;
  }

  @Override
  String describe() {
    return "layer normalization "
        + (which == LayerNormStatistic.MEAN ? "mean" : "inverse deviation")
        + ", "
        + rows
        + " rows of "
        + cols;
  }

  @Override
  void forward(Device device) {
    CustomKernels.layerNormStatistic(
        device, which, inputBuffer(0), outputBuffer(), rows, cols, epsilon);
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return List.of(input(0));
  }

  @Override
  void backward(Device device, DeviceBuffer d, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.layerNormStatisticBackward(
        device, which, inputBuffer(0), d, dx, rows, cols, epsilon, accumulate);
  }
}
