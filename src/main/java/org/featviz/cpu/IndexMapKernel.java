package org.featviz.cpu;

/**
 * A data-movement kernel where each output element copies one input element, y[o] = x[source[o]]
 * (Slice, Transpose): the backward adds dy back at the elements read.
 */
abstract class IndexMapKernel implements DataGradientKernel {
  /** For each output element in row-major order, the flat index of the input element it copies. */
  abstract int[] sources(KernelCall c);

  @Override
  public final void forward(KernelCall c, float[] x, float[] y) {
    int[] source = sources(c);
    for (int o = 0; o < y.length; o++) y[o] = x[source[o]];
  }

  @Override
  public final void backward(KernelCall c, float[] dy, float[] dx) {
    int[] source = sources(c);
    for (int o = 0; o < dy.length; o++) dx[source[o]] += dy[o];
  }
}
