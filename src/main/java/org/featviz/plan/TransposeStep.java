package org.featviz.plan;

import java.util.Arrays;
import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.ir.Node;

/**
 * Transpose by the transpose_nd kernel (up to 6-D); the backward is the same kernel on dy with the
 * inverse permutation (a permutation moves every element once, so the gradient is a gather, not a
 * scatter).
 */
final class TransposeStep extends DataGradientStep {
  private final int[] perm;
  private final int[] forwardStrides;
  private final int[] backwardStrides;

  TransposeStep(Node node, DeviceValue x, DeviceValue y, int[] perm) {
    super(node, List.of(x), y);
    this.perm = perm.clone();
    int rank = perm.length;
    int[] xStrides = x.shape().strides();
    int[] yStrides = y.shape().strides();
    forwardStrides = new int[rank];
    backwardStrides = new int[rank];
    for (int k = 0; k < rank; k++) {
      forwardStrides[k] = xStrides[perm[k]]; // output dim k walks x's dim perm[k]
      backwardStrides[perm[k]] = yStrides[k]; // x's dim perm[k] is y's dim k
    }
  }

  @Override
  String describe() {
    return "transpose " + input(0).shape() + " by " + Arrays.toString(perm);
  }

  @Override
  void forward(Device device) {
    CustomKernels.transpose(
        device, inputBuffer(0), outputBuffer(), output().shape().dims(), forwardStrides, false);
  }

  @Override
  void backward(Device device, DeviceBuffer dy, DeviceBuffer dx, boolean accumulate) {
    CustomKernels.transpose(device, dy, dx, input(0).shape().dims(), backwardStrides, accumulate);
  }
}
