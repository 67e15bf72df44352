package org.featviz.plan;

import java.util.Arrays;
import org.featviz.ir.Shape;
import org.featviz.ops.Broadcast;

/**
 * How the two operands of a broadcasting op map onto its output, in the form cuda/arithmetic.cu
 * takes: the output's dims and each operand's element strides in output coordinates (0 along every
 * dimension where the operand broadcasts), all right-aligned into {@link CustomKernels#MAX_RANK}
 * entries. Built from the same {@link Broadcast#strides} as the CPU reference uses.
 */
public record BroadcastGeometry(int[] dims, int[] aStrides, int[] bStrides) {
  public BroadcastGeometry {
    dims = dims.clone();
    aStrides = aStrides.clone();
    bStrides = bStrides.clone();
  }

  /**
   * The geometry of a (shape a) OP b (shape b) with output shape out; each operand must broadcast
   * to out.
   */
  public static BroadcastGeometry of(Shape a, Shape b, Shape out) {
    if (out.rank() > CustomKernels.MAX_RANK) {
      throw new IllegalArgumentException(
          "broadcasting over "
              + out.rank()
              + " dimensions (output "
              + out
              + "); the device kernels take at most "
              + CustomKernels.MAX_RANK);
    }
    return new BroadcastGeometry(
        CustomKernels.rightAligned(out.dims(), 1),
        CustomKernels.rightAligned(Broadcast.strides(a, out), 0),
        CustomKernels.rightAligned(Broadcast.strides(b, out), 0));
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  @Override
  public int[] aStrides() {
    return aStrides.clone();
  }

  @Override
  public int[] bStrides() {
    return bStrides.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BroadcastGeometry g
        && Arrays.equals(dims, g.dims)
        && Arrays.equals(aStrides, g.aStrides)
        && Arrays.equals(bStrides, g.bStrides);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(new Object[] {dims, aStrides, bStrides});
  }

  @Override
  public String toString() {
    return "BroadcastGeometry[dims "
        + Arrays.toString(dims)
        + ", a strides "
        + Arrays.toString(aStrides)
        + ", b strides "
        + Arrays.toString(bStrides)
        + "]";
  }
}
