package org.featviz.cpu;

import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.Broadcast;
import org.featviz.ops.GemmSpec;

/**
 * Gemm: Y [M, N] = alpha * A' B' + beta * C, with A' = A [M, K] or A^T from [K, M], B' = B [K, N]
 * or B^T from [N, K], and C broadcast to [M, N]. Backward: dA' = alpha dY B'^T, dB' = alpha A'^T dY
 * (transposed back where the operand was stored transposed), dC = beta dY summed over C's broadcast
 * dimensions.
 */
final class GemmRef implements CpuKernel {
  @Override
  public void forward(KernelCall c) {
    GemmSpec.Params p = GemmSpec.params(c.context());
    int m = p.m();
    int k = p.k();
    int n = p.n();
    float[] a = p.transA() ? MatrixProduct.transpose(c.in(0).data(), 0, k, m) : c.in(0).data();
    float[] b = p.transB() ? MatrixProduct.transpose(c.in(1).data(), 0, n, k) : c.in(1).data();
    float[] product = new float[m * n];
    MatrixProduct.multiplyAdd(a, 0, b, 0, product, 0, m, k, n);
    float[] y = c.out(0).data();
    if (c.hasInput(2)) {
      float[] bias = c.in(2).data();
      int[] source = Broadcast.sourceIndices(c.in(2).shape(), Shape.of(m, n));
      for (int o = 0; o < y.length; o++) y[o] = p.alpha() * product[o] + p.beta() * bias[source[o]];
    } else {
      for (int o = 0; o < y.length; o++) y[o] = p.alpha() * product[o];
    }
  }

  @Override
  public void backward(KernelCall c) {
    Tensor gradY = c.gradOut(0);
    if (gradY == null) return;
    GemmSpec.Params p = GemmSpec.params(c.context());
    int m = p.m();
    int k = p.k();
    int n = p.n();
    float[] dy = gradY.data();
    if (c.gradIn(0) != null) {
      // dA' [M, K] = dY [M, N] B'^T [N, K]; B stored as [N, K] (transB) already is B'^T.
      float[] bT = p.transB() ? c.in(1).data() : MatrixProduct.transpose(c.in(1).data(), 0, k, n);
      float[] dA = new float[m * k];
      MatrixProduct.multiplyAdd(dy, 0, bT, 0, dA, 0, m, n, k);
      addScaled(
          c.gradIn(0).data(), p.transA() ? MatrixProduct.transpose(dA, 0, m, k) : dA, p.alpha());
    }
    if (c.gradIn(1) != null) {
      // dB' [K, N] = A'^T [K, M] dY [M, N]; A stored as [K, M] (transA) already is A'^T.
      float[] aT = p.transA() ? c.in(0).data() : MatrixProduct.transpose(c.in(0).data(), 0, m, k);
      float[] dB = new float[k * n];
      MatrixProduct.multiplyAdd(aT, 0, dy, 0, dB, 0, k, m, n);
      addScaled(
          c.gradIn(1).data(), p.transB() ? MatrixProduct.transpose(dB, 0, k, n) : dB, p.alpha());
    }
    if (c.gradIn(2) != null) {
      int[] source = Broadcast.sourceIndices(c.in(2).shape(), Shape.of(m, n));
      double[] dC = new double[c.in(2).size()];
      for (int o = 0; o < dy.length; o++) dC[source[o]] += dy[o];
      float[] g = c.gradIn(2).data();
      for (int i = 0; i < g.length; i++) g[i] += (float) (p.beta() * dC[i]);
    }
  }

  private static void addScaled(float[] target, float[] values, float scale) {
    for (int i = 0; i < target.length; i++) target[i] += scale * values[i];
  }
}
