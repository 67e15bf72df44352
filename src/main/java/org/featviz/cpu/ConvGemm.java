package org.featviz.cpu;

/**
 * The matrix product under {@link ConvRef}: C[cFirst + i][j] += sum over p of A(i, p) * B[p][j] for
 * i in [0, rows), p in [0, depth), j in [0, len), where A(i, p) = a[aOffset + i * aRowStride + p *
 * aColStride]. The strides let Conv read its weight W (M x K, row-major) in place both as A = W
 * (forward: C = outputs, B = patch matrix) and as A = W transposed (input gradient: C =
 * patch-matrix gradient, B = output gradient).
 *
 * <p>Why it looks like this (HotSpot C2, JDK 17, measured on AVX-512): every row of B and C is its
 * own array and the inner loop indexes them all with the same j from 0, the only form C2
 * auto-vectorizes (offsets that agree); the loop adds four products into one C row per pass (four B
 * rows, a 1 x 4 slice of A in scalars), so each C vector is loaded and stored once per four
 * multiply-adds; and the four B rows are reused for {@link #ROW_TILE} rows of C while they sit in
 * the L1 cache. About 40 to 65 GFLOP/s per core in fashion-cnn's convolutions against 20 to 27 for
 * one product per pass over whole rows (docs/benchmarks.md). (Loops storing into more than one C
 * row, or reading more than four B rows, are not vectorized by C2 17 and run several times slower.)
 * Math.fma rounds once per multiply-add (C2 emits vector FMA); the sum over p is taken in order p =
 * 0, 1, 2, ...
 */
public final class ConvGemm {
  /** Rows of C that share one pass over four rows of B. */
  static final int ROW_TILE = 16;

  private ConvGemm() {}

  /** The product described above (public for bench.GemmBench, which times it against OpenBLAS). */
  public static void multiplyAdd(
      float[] a,
      int aOffset,
      int aRowStride,
      int aColStride,
      float[][] b,
      int depth,
      float[][] c,
      int cFirst,
      int rows,
      int len) {
    for (int i0 = 0; i0 < rows; i0 += ROW_TILE) {
      int i1 = Math.min(rows, i0 + ROW_TILE);
      int p = 0;
      for (; p + 4 <= depth; p += 4) {
        float[] b0 = b[p];
        float[] b1 = b[p + 1];
        float[] b2 = b[p + 2];
        float[] b3 = b[p + 3];
        for (int i = i0; i < i1; i++) {
          int q = aOffset + i * aRowStride + p * aColStride;
          fourProducts(
              a[q],
              a[q + aColStride],
              a[q + 2 * aColStride],
              a[q + 3 * aColStride],
              b0,
              b1,
              b2,
              b3,
              c[cFirst + i],
              len);
        }
      }
      for (; p < depth; p++) {
        float[] bp = b[p];
        for (int i = i0; i < i1; i++) {
          float ap = a[aOffset + i * aRowStride + p * aColStride];
          float[] ci = c[cFirst + i];
          for (int j = 0; j < len; j++) ci[j] = Math.fma(ap, bp[j], ci[j]);
        }
      }
    }
  }

  /** c[j] += a0 b0[j] + a1 b1[j] + a2 b2[j] + a3 b3[j] (in that order) for j in [0, len). */
  private static void fourProducts(
      float a0,
      float a1,
      float a2,
      float a3,
      float[] b0,
      float[] b1,
      float[] b2,
      float[] b3,
      float[] c,
      int len) {
    for (int j = 0; j < len; j++) {
      c[j] =
          Math.fma(a3, b3[j], Math.fma(a2, b2[j], Math.fma(a1, b1[j], Math.fma(a0, b0[j], c[j]))));
    }
  }
}
