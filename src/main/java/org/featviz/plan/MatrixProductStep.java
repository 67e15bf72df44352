package org.featviz.plan;

import java.util.ArrayList;
import java.util.List;
import org.featviz.ir.Node;

/**
 * What the matrix product steps share ({@link GemmStep}, {@link MatMulStep}): Y from A (input 0)
 * and B (input 1) by GEMMs in the plan's {@link MixedPrecision}; the gradient of each operand reads
 * the other one.
 */
abstract class MatrixProductStep extends Step {
  final MixedPrecision mixed;

  MatrixProductStep(Node node, List<DeviceValue> inputs, DeviceValue y, MixedPrecision mixed) {
    super(node, inputs, y);
    this.mixed = mixed;
  }

  @Override
  final boolean differentiable(int input) {
    return true;
  }

  /** dA reads B, dB reads A. */
  @Override
  final List<DeviceValue> savedForBackward() {
    List<DeviceValue> saved = new ArrayList<>();
    if (gradIn(0) != null) saved.add(input(1));
    if (gradIn(1) != null) saved.add(input(0));
    return saved;
  }

  /**
   * Every GEMM of the step, forward or backward, stages (the spans of) two of A, B and Y (dY's
   * size), none more than the whole tensor.
   */
  @Override
  final long stagingBytes() {
    return MixedPrecision.stagingBytes(input(0).count(), input(1).count(), output().count());
  }
}
