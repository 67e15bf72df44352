package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.ir.Node;

/**
 * Concat by the concat kernels: the output seen as [outer, outRow] (outer = the dims before the
 * axis), each input [outer, row_i] copied to its column offset; backward hands each input that
 * needs one its slice of dy.
 */
final class ConcatStep extends Step {
  private final int outer;
  private final int outRow;
  private final int[] rows;
  private final int[] offsets;

  ConcatStep(Node node, List<DeviceValue> inputs, DeviceValue y, int axis) {
    super(node, inputs, y);
    outer = y.shape().size(0, axis);
    outRow = y.shape().size(axis, y.shape().rank());
    rows = new int[inputs.size()];
    offsets = new int[inputs.size()];
    int offset = 0;
    for (int i = 0; i < rows.length; i++) {
      rows[i] = inputs.get(i).shape().size(axis, y.shape().rank());
      offsets[i] = offset;
      offset += rows[i];
    }
  }

  @Override
  String describe() {
    return "concat " + inputs().size() + " inputs into [" + outer + ", " + outRow + "]";
  }

  @Override
  void forward(Device device) {
    for (int i = 0; i < rows.length; i++) {
      CustomKernels.concatForward(
          device, inputBuffer(i), outputBuffer(), outer, rows[i], outRow, offsets[i]);
    }
  }

  @Override
  boolean differentiable(int input) {
    return true;
  }

  @Override
  void backward(Device device) {
    for (int i = 0; i < rows.length; i++) {
      if (gradIn(i) == null) continue;
      CustomKernels.concatBackward(
          device,
          gradOut().buffer(),
          gradIn(i).buffer(),
          outer,
          rows[i],
          outRow,
          offsets[i],
          accumulate(i));
    }
  }
}
