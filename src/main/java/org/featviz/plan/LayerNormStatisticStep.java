package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.ir.Node;
import org.featviz.plan.CustomKernels.LayerNormStatistic;

/**
 * LayerNormalization's optional output Mean or InvStdDev (one value per row), by
 * layer_norm_statistic; lowered only where a node or a target reads it. Forward only: a backward
 * that needs the gradient of x through it is refused when the plan is wired, naming the node.
 */
final class LayerNormStatisticStep extends Step {
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
        device, which, input(0).buffer(), output().buffer(), rows, cols, epsilon);
  }

  @Override
  void backward(Device device) {}
}
