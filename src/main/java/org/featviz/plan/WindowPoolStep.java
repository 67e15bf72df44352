package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;
import org.featviz.ops.SpatialWindow;
import org.featviz.plan.CustomKernels.PoolMode;

/**
 * MaxPool or AveragePool by featviz's own kernels ({@code cuda/pool.cu}), for the windows cuDNN's
 * pooling cannot express: dilated ones, and max pooling whose padding is as wide as the window.
 * ONNX's window geometry goes to the kernels as it is (asymmetric pads, ceil_mode,
 * count_include_pad), so no Pad step comes before. The backward reads x for max pooling (each
 * window's argmax is recomputed), nothing for averages.
 */
final class WindowPoolStep extends DataGradientStep {
  private final PoolMode mode;
  private final SpatialWindow window;
  private final int planes;

  WindowPoolStep(Node node, DeviceValue x, DeviceValue y, PoolMode mode, SpatialWindow window) {
    super(node, List.of(x), y);
    this.mode = mode;
    this.window = window;
    this.planes = x.shape().dim(0) * x.shape().dim(1);
  }

  @Override
  String describe() {
    return "pool kernel " + mode + " over " + planes + " planes, " + window;
  }

  @Override
  void forward(Device device) {
    CustomKernels.poolForward(device, mode, inputBuffer(0), outputBuffer(), planes, window);
  }

  @Override
  List<DeviceValue> savedForBackward() {
    return mode == PoolMode.MAX ? List.of(input(0)) : List.of();
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.poolBackward(device, mode, inputBuffer(0), dy, dx, planes, window, accumulate);
  }
}
