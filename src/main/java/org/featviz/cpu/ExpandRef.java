package org.featviz.cpu;

import org.featviz.ops.Broadcast;

/**
 * Expand: y[o] = x[source(o)] (numpy broadcasting); backward sums dy over the copies, in double.
 */
final class ExpandRef extends IndexMapKernel {
  @Override
  int[] sources(KernelCall c) {
    return Broadcast.sourceIndices(c.in(0).shape(), c.out(0).shape());
  }

  @Override
  boolean manyToOne() {
    return true;
  }
}
