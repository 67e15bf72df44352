package org.featviz.cpu;

import java.util.Arrays;
import org.featviz.ir.Tensor;
import org.featviz.ops.Broadcast;
import org.featviz.ops.MatMulSpec;

/**
 * MatMul with numpy semantics: for each element t of the broadcast batch, Y[t] [M, N] = A[a(t)] [M, K] B[b(t)]
 * [K, N], where a(t), b(t) map t to the operands' own batch elements (1-D operands are [1, K] and [K, 1], which
 * have the same memory layout). Backward: dA[a(t)] += dY[t] B[b(t)]^T, dB[b(t)] += A[a(t)]^T dY[t], which sums
 * over the batch elements an operand was broadcast to.
 */
final class MatMulRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    MatMulSpec.Dims d = MatMulSpec.dims(c.context());
    float[] a = c.in(0).data();
    float[] b = c.in(1).data();
    float[] y = c.out(0).data();
    Arrays.fill(y, 0f);
    int[] aBatch = Broadcast.sourceIndices(d.aBatch(), d.batch());
    int[] bBatch = Broadcast.sourceIndices(d.bBatch(), d.batch());
    int m = d.m();
    int k = d.k();
    int n = d.n();
    for (int t = 0; t < aBatch.length; t++) {
      MatrixProduct.multiplyAdd(a, aBatch[t] * m * k, b, bBatch[t] * k * n, y, t * m * n, m, k, n);
    }
  }

  @Override
  public void backward(KernelCall c) {
    Tensor gradY = c.gradOut(0);
    if (gradY == null) return;
    MatMulSpec.Dims d = MatMulSpec.dims(c.context());
    float[] a = c.in(0).data();
    float[] b = c.in(1).data();
    float[] dy = gradY.data();
    int[] aBatch = Broadcast.sourceIndices(d.aBatch(), d.batch());
    int[] bBatch = Broadcast.sourceIndices(d.bBatch(), d.batch());
    int m = d.m();
    int k = d.k();
    int n = d.n();
    for (int t = 0; t < aBatch.length; t++) {
      if (c.gradIn(0) != null) {
        float[] bT = MatrixProduct.transpose(b, bBatch[t] * k * n, k, n);
        MatrixProduct.multiplyAdd(dy, t * m * n, bT, 0, c.gradIn(0).data(), aBatch[t] * m * k, m, n, k);
      }
      if (c.gradIn(1) != null) {
        float[] aT = MatrixProduct.transpose(a, aBatch[t] * m * k, m, k);
        MatrixProduct.multiplyAdd(aT, 0, dy, t * m * n, c.gradIn(1).data(), bBatch[t] * k * n, k, m, n);
      }
    }
  }
}
