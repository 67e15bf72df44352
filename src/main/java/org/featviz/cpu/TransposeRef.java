package org.featviz.cpu;

import org.featviz.ir.Shape;
import org.featviz.ops.Broadcast;
import org.featviz.ops.TransposeSpec;

/**
 * Transpose: y[i0, ..., in-1] = x[j] with x's index j having j[perm[d]] = i_d. Walking y in
 * row-major order, the source offset moves by x's stride of dimension perm[d] per step of y's
 * dimension d. Backward scatters dy back.
 */
final class TransposeRef extends IndexMapKernel {
  @Override
  int[] sources(KernelCall c) {
    int[] perm = TransposeSpec.perm(c.context());
    Shape x = c.in(0).shape();
    int[] xStrides = x.strides();
    int rank = perm.length;
    int[] dims = new int[rank];
    int[] stride = new int[rank];
    for (int d = 0; d < rank; d++) {
      dims[d] = x.dim(perm[d]);
      stride[d] = xStrides[perm[d]];
    }
    return Broadcast.stridedIndices(dims, stride);
  }
}
