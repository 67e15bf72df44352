package org.featviz.cpu;

import org.featviz.ir.Shape;

/**
 * Tile: y at coordinates c reads x at c mod x's dims (the shapes say the repeats). Backward: dx
 * sums dy over every tile, in double.
 */
final class TileRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    float[] x = c.in(0).data();
    float[] y = c.out(0).data();
    int[] src = sources(c.in(0).shape(), c.out(0).shape());
    for (int i = 0; i < y.length; i++) y[i] = x[src[i]];
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null || c.gradIn(0) == null) return;
    float[] dy = c.gradOut(0).data();
    float[] dx = c.gradIn(0).data();
    int[] src = sources(c.in(0).shape(), c.gradOut(0).shape());
    double[] sum = new double[dx.length];
    for (int i = 0; i < dy.length; i++) sum[src[i]] += dy[i];
    for (int j = 0; j < dx.length; j++) dx[j] += (float) sum[j];
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
