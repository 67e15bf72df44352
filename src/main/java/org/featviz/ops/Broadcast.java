package org.featviz.ops;

import org.featviz.ir.Shape;

/**
 * ONNX broadcasting. Multidirectional (numpy) broadcasting aligns two shapes at their last
 * dimension; each pair of dimensions must be equal or one of them 1 (a missing leading dimension
 * counts as 1). Unidirectional broadcasting (Gemm's C) additionally requires the result to be the
 * target shape. {@link #sourceIndices} is the index mapping every backend implements: which input
 * element feeds each output element.
 */
public final class Broadcast {
  private Broadcast() {}

  /** The broadcast shape of a and b, or null where they are incompatible. */
  public static Shape multidirectional(Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    int[] out = new int[rank];
    for (int d = 0; d < rank; d++) {
      int da = dimFromRight(a, rank - 1 - d);
      int db = dimFromRight(b, rank - 1 - d);
      if (da == db || db == 1) {
        out[d] = da;
      } else if (da == 1) {
        out[d] = db;
      } else {
        return null;
      }
    }
    return Shape.of(out);
  }

  /** Whether {@code from} broadcasts to {@code to} without changing {@code to}. */
  public static boolean unidirectional(Shape from, Shape to) {
    return from.rank() <= to.rank() && to.equals(multidirectional(from, to));
  }

  /**
   * Strides (in elements) for reading {@code in} while walking {@code out}'s indices: one per
   * dimension of out, 0 where in is broadcast (missing or of size 1 there). {@code in} must
   * broadcast unidirectionally to out.
   */
  public static int[] strides(Shape in, Shape out) {
    if (!unidirectional(in, out))
      throw new IllegalArgumentException("shape " + in + " does not broadcast to " + out);
    int offset = out.rank() - in.rank();
    int[] inStrides = in.strides();
    int[] s = new int[out.rank()];
    for (int d = offset; d < out.rank(); d++)
      s[d] = in.dim(d - offset) == 1 ? 0 : inStrides[d - offset];
    return s;
  }

  /**
   * For each element of {@code out} in row-major order, the flat index of the element of {@code in}
   * it reads.
   */
  public static int[] sourceIndices(Shape in, Shape out) {
    return stridedIndices(out.dims(), strides(in, out));
  }

  /**
   * For each index (i0, ..., ir-1) of {@code dims} in row-major order, sum_d i_d stride[d]: where a
   * walk over an array of dims reads another array laid out with those strides (a broadcast
   * operand, a permuted one).
   */
  public static int[] stridedIndices(int[] dims, int[] stride) {
    int size = 1;
    for (int dim : dims) size *= dim;
    int[] counter = new int[dims.length];
    int[] map = new int[size];
    int src = 0;
    for (int o = 0; o < map.length; o++) {
      map[o] = src;
      // Advance the odometer: the innermost dimension fastest, carrying into outer ones.
      for (int d = dims.length - 1; d >= 0; d--) {
        counter[d]++;
        src += stride[d];
        if (counter[d] < dims[d]) break;
        src -= stride[d] * counter[d];
        counter[d] = 0;
      }
    }
    return map;
  }

  private static int dimFromRight(Shape s, int fromRight) {
    int d = s.rank() - 1 - fromRight;
    return d >= 0 ? s.dim(d) : 1;
  }
}
