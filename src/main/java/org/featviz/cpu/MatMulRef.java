package org.featviz.cpu;

import java.util.Arrays;
import org.featviz.ir.Tensor;
import org.featviz.ops.Broadcast;
import org.featviz.ops.MatMulSpec;

/**
 * MatMul with numpy semantics: for each element t of the broadcast batch, Y[t] [M, N] = A[a(t)] [M,
 * K] B[b(t)] [K, N], where a(t), b(t) map t to the operands' own batch elements (1-D operands are
 * [1, K] and [K, 1], which have the same memory layout). Backward: dA[a(t)] += dY[t] B[b(t)]^T,
 * dB[b(t)] += A[a(t)]^T dY[t], which sums over the batch elements an operand was broadcast to.
 */
final class MatMulRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    Batch t = new Batch(MatMulSpec.dims(c.context()));
    float[] a = c.in(0).data();
    float[] b = c.in(1).data();
    float[] y = c.out(0).data();
    Arrays.fill(y, 0f);
    for (int i = 0; i < t.count(); i++) {
      MatrixProduct.multiplyAdd(a, t.a(i), b, t.b(i), y, t.y(i), t.m, t.k, t.n);
    }
  }

  @Override
  public void backward(KernelCall c) {
    Tensor gradY = c.gradOut(0);
    if (gradY == null) return;
    Batch t = new Batch(MatMulSpec.dims(c.context()));
    float[] a = c.in(0).data();
    float[] b = c.in(1).data();
    float[] dy = gradY.data();
    for (int i = 0; i < t.count(); i++) {
      if (c.gradIn(0) != null) {
        float[] bT = MatrixProduct.transpose(b, t.b(i), t.k, t.n);
        MatrixProduct.multiplyAdd(dy, t.y(i), bT, 0, c.gradIn(0).data(), t.a(i), t.m, t.n, t.k);
      }
      if (c.gradIn(1) != null) {
        float[] aT = MatrixProduct.transpose(a, t.a(i), t.m, t.k);
        MatrixProduct.multiplyAdd(aT, 0, dy, t.y(i), c.gradIn(1).data(), t.b(i), t.k, t.m, t.n);
      }
    }
  }

  /** The broadcast batch: where the matrices of A, B and Y of batch element i start. */
  private static final class Batch {
    final int m;
    final int k;
    final int n;
    private final int[] aBatch;
    private final int[] bBatch;

    Batch(MatMulSpec.Dims d) {
      m = d.m();
      k = d.k();
      n = d.n();
      aBatch = Broadcast.sourceIndices(d.aBatch(), d.batch());
      bBatch = Broadcast.sourceIndices(d.bBatch(), d.batch());
    }

    int count() {
      return aBatch.length;
    }

    int a(int i) {
      return aBatch[i] * m * k;
    }

    int b(int i) {
      return bBatch[i] * k * n;
    }

    int y(int i) {
      return i * m * n;
    }
  }
}
