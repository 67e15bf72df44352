package org.featviz.cpu;

/**
 * Row-major single-precision matrix products: Gemm and MatMul here, and the spectral
 * parameterization's inverse DFT (param.InverseRealDft2d). One kernel, C [m, n] += A [m, k] B [k,
 * n], in i-k-j order (the innermost loop runs along a row of B and of C, so it streams memory and
 * vectorizes), rows of C in parallel; transposed operands are materialized with {@link #transpose}
 * first. Each matrix starts at an offset in its array and has a leading dimension (the distance
 * between the starts of two rows), so a call can read or write a block of a larger matrix, such as
 * the real or imaginary half of a spectrum, as a BLAS GEMM does. A [100, 2048] x [2048, 2048]
 * product takes about 0.25 s of one core's time (a variant updating four rows per pass over B saved
 * only a quarter of that, so the plain loop stays). With the fast CPU kernels on ({@link
 * CpuKernels#fast()}), products of at least {@link #BLAS_MIN_WORK} multiply-adds go to OpenBLAS
 * instead ({@link BlasProduct}); smaller ones stay here, where the copies to native memory would
 * cost more than they save.
 */
public final class MatrixProduct {
  /** The fewest multiply-adds (m x k x n) of a product that OpenBLAS takes. */
  static final long BLAS_MIN_WORK = 1 << 16;

  private MatrixProduct() {}

  /** C [m, n] += A [m, k] B [k, n], each matrix at its offset with its leading dimension. */
  public static void multiplyAdd(
      float[] a,
      int aOffset,
      int lda,
      float[] b,
      int bOffset,
      int ldb,
      float[] c,
      int cOffset,
      int ldc,
      int m,
      int k,
      int n) {
    if ((long) m * k * n >= BLAS_MIN_WORK && CpuKernels.fast()) {
      BlasProduct.multiplyAdd(a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, m, k, n);
      return;
    }
    Parallel.range(
        m,
        (long) k * n,
        i -> {
          int aRow = aOffset + i * lda;
          int cRow = cOffset + i * ldc;
          for (int p = 0; p < k; p++) {
            float aip = a[aRow + p];
            int bRow = bOffset + p * ldb;
            for (int j = 0; j < n; j++) c[cRow + j] += aip * b[bRow + j];
          }
        });
  }

  /** C [m, n] += A [m, k] B [k, n] on dense matrices, each starting at its offset in its array. */
  static void multiplyAdd(
      float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, int m, int k, int n) {
    multiplyAdd(a, aOffset, k, b, bOffset, n, c, cOffset, n, m, k, n);
  }

  /**
   * The transpose [cols, rows] of the matrix [rows, cols] starting at {@code offset}, as a new
   * array.
   */
  public static float[] transpose(float[] a, int offset, int rows, int cols) {
    float[] t = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) t[c * rows + r] = a[offset + r * cols + c];
    }
    return t;
  }
}
