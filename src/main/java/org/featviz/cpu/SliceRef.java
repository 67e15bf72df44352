package org.featviz.cpu;

import org.featviz.ops.SliceSpec;

/**
 * Slice: y[c] = x[begin + c * step] per axis (ops.SliceSpec's ranges); the gradient adds dy back at
 * the elements read (each at most once), the rest of dx unchanged. The index inputs get none.
 */
final class SliceRef implements DataGradientKernel {
  @Override
  public void forward(KernelCall c, float[] x, float[] y) {
    int[] src = sources(c);
    for (int i = 0; i < y.length; i++) y[i] = x[src[i]];
  }

  @Override
  public void backward(KernelCall c, float[] dy, float[] dx) {
    int[] src = sources(c);
    for (int i = 0; i < dy.length; i++) dx[src[i]] += dy[i];
  }

  /** For each output element, the flat index of the input element it reads. */
  private static int[] sources(KernelCall c) {
    SliceSpec.Ranges r = SliceSpec.ranges(c.context());
    int[] strides = c.in(0).shape().strides();
    int[] dims = r.dims();
    int size = 1;
    for (int d : dims) size *= d;
    int[] src = new int[size];
    for (int i = 0; i < size; i++) {
      int rest = i;
      int s = 0;
      for (int d = dims.length - 1; d >= 0; d--) {
        int k = rest % dims[d];
        rest /= dims[d];
        s += (r.begin()[d] + k * r.step()[d]) * strides[d];
      }
      src[i] = s;
    }
    return src;
  }
}
