package org.featviz.cpu;

/**
 * A data-movement kernel where each output element copies one input element, y[o] = x[source[o]]
 * (Slice, Transpose, Tile, Expand): the backward adds dy back at the elements read. Where several
 * outputs may copy one element ({@link #manyToOne}: Tile, Expand), their gradients are summed in
 * double before they reach dx.
 */
abstract class IndexMapKernel implements DataGradientKernel {
  /** For each output element in row-major order, the flat index of the input element it copies. */
  abstract int[] sources(KernelCall c);

  /** Whether an input element may be copied more than once (false: Slice, Transpose). */
  boolean manyToOne() {
    return false;
  }

  @Override
  public final void forward(KernelCall c, float[] x, float[] y) {
    int[] source = sources(c);
    for (int o = 0; o < y.length; o++) y[o] = x[source[o]];
  }

  @Override
  public final void backward(KernelCall c, float[] dy, float[] dx) {
    int[] source = sources(c);
    if (!manyToOne()) {
      for (int o = 0; o < dy.length; o++) dx[source[o]] += dy[o];
      return;
    }
    double[] sum = new double[dx.length];
    for (int o = 0; o < dy.length; o++) sum[source[o]] += dy[o];
    for (int j = 0; j < dx.length; j++) dx[j] += (float) sum[j];
  }
}
