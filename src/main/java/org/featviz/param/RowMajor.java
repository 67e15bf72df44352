package org.featviz.param;

/**
 * The one matrix product the spectral parameterization needs, written like a BLAS GEMM on row-major data so that the
 * CUDA version maps each call onto one cuBLAS call: C [m, n] += A [m, k] B [k, n], where each matrix starts at an
 * offset in its array and has its own leading dimension (the distance between the starts of two rows). Leading
 * dimensions let a call read or write a block of a larger matrix, such as the real or imaginary half of a spectrum.
 * Loops run in i-p-j order so the innermost loop streams along rows of B and C.
 */
final class RowMajor {
  private RowMajor() {}

  /** C [m, n] += A [m, k] B [k, n]. */
  static void multiplyAdd(float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float[] c, int cOffset,
      int ldc, int m, int k, int n) {
    for (int i = 0; i < m; i++) {
      int cRow = cOffset + i * ldc;
      int aRow = aOffset + i * lda;
      for (int p = 0; p < k; p++) {
        float aip = a[aRow + p];
        int bRow = bOffset + p * ldb;
        for (int j = 0; j < n; j++) c[cRow + j] += aip * b[bRow + j];
      }
    }
  }

  /** The transpose [cols, rows] of the dense matrix a [rows, cols]. */
  static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
    }
    return t;
  }
}
