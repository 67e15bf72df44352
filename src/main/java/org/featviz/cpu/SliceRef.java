package org.featviz.cpu;

import org.featviz.ops.SliceSpec;

/**
 * Slice: y[c] = x[begin + c * step] per axis (ops.SliceSpec's ranges); the gradient adds dy back at
 * the elements read (each at most once), the rest of dx unchanged. The index inputs get none.
 */
final class SliceRef extends IndexMapKernel {
  @Override
  int[] sources(KernelCall c) {
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
