package org.featviz.cpu;

import org.featviz.ir.Shape;

/**
 * Index arithmetic for the plain test references, written independently of the kernels' index
 * mappings: flat index to multi-index and back, and numpy broadcasting read as "dimension of size 1
 * reads index 0".
 */
final class BroadcastIndexing {
  private BroadcastIndexing() {}

  /** The multi-index of a row-major flat index. */
  static int[] unravel(int flat, Shape shape) {
    int[] idx = new int[shape.rank()];
    for (int d = shape.rank() - 1; d >= 0; d--) {
      idx[d] = flat % shape.dim(d);
      flat /= shape.dim(d);
    }
    return idx;
  }

  /** The row-major flat index of a multi-index. */
  static int ravel(int[] idx, Shape shape) {
    int flat = 0;
    for (int d = 0; d < shape.rank(); d++) flat = flat * shape.dim(d) + idx[d];
    return flat;
  }

  /**
   * The flat index in {@code in} of the element that broadcasts to {@code outIdx} (aligned at the
   * last dim).
   */
  static int broadcastSource(int[] outIdx, Shape in) {
    int offset = outIdx.length - in.rank();
    int[] idx = new int[in.rank()];
    for (int d = 0; d < in.rank(); d++) idx[d] = in.dim(d) == 1 ? 0 : outIdx[d + offset];
    return ravel(idx, in);
  }

  /**
   * Throws unless the exception message names the node and contains every given fragment (shapes).
   */
  static void assertMessageNames(RuntimeException e, String nodeName, String... fragments) {
    String m = e.getMessage();
    if (!m.contains(nodeName))
      throw new AssertionError("message does not name node " + nodeName + ": " + m);
    for (String f : fragments) {
      if (!m.contains(f)) throw new AssertionError("message does not contain '" + f + "': " + m);
    }
  }
}
