package org.featviz.device;

/**
 * A single-precision matrix product with a row-major API: C [M, N] = alpha op(A) op(B) + beta C,
 * where op(A) is A stored [M, K] or, with transA, A stored [K, M] and transposed; op(B) is B stored
 * [K, N] or, with transB, B stored [N, K] and transposed. All three matrices are dense and
 * row-major (leading dimensions are the row lengths). cuBLAS is column-major: CudaDevice computes
 * C^T = op(B)^T op(A)^T instead, which is the same memory (see org.featviz.cuda.CudaLibraries).
 */
public record GemmDescriptor(boolean transA, boolean transB, int m, int n, int k) {
  public GemmDescriptor {
    if (m < 1 || n < 1 || k < 1) {
      throw new IllegalArgumentException(
          "gemm: M " + m + ", N " + n + ", K " + k + " must be positive");
    }
  }

  public long aCount() {
    return (long) m * k;
  }

  public long bCount() {
    return (long) k * n;
  }

  public long cCount() {
    return (long) m * n;
  }

  /** A's dims as stored: [M, K], or [K, M] with transA. */
  public int[] aDims() {
    return transA ? new int[] {k, m} : new int[] {m, k};
  }

  /** B's dims as stored: [K, N], or [N, K] with transB. */
  public int[] bDims() {
    return transB ? new int[] {n, k} : new int[] {k, n};
  }
}
