package org.featviz.cpu;

import org.featviz.ir.Shape;

/**
 * Tile: y at coordinates c reads x at c mod x's dims (the shapes say the repeats). Backward: dx
 * sums dy over every tile, in double.
 */
final class TileRef extends IndexMapKernel {
  @Override
  int[] sources(KernelCall c) {
    return sources(c.in(0).shape(), c.out(0).shape());
  }

  @Override
  boolean manyToOne() {
    return true;
  }

  /** For each element of y (shape out), the element of x (shape in) it copies. */
  private static int[] sources(Shape in, Shape out) {
    int[] src = new int[out.size()];
    int rank = out.rank();
    for (int i = 0; i < src.length; i++) {
      int rest = i;
      int offset = 0;
      int stride = 1;
      for (int k = rank - 1; k >= 0; k--) {
        offset += (rest % out.dim(k)) % in.dim(k) * stride;
        rest /= out.dim(k);
        stride *= in.dim(k);
      }
      src[i] = offset;
    }
    return src;
  }
}
