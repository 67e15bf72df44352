package org.featviz.device;

/**
 * The batch of a strided-batched GEMM (cublasSgemmStridedBatched): {@code count} products, the i-th
 * reading A, B and C at i * stride floats past each operand's position. A stride of 0 gives every
 * product the same matrix (a broadcast operand). C's matrices must not overlap (checked against the
 * GEMM's M N when the batch runs), since the products run in parallel on a GPU.
 *
 * <pre>
 *   C[cPos + i cStride] = alpha op(A[aPos + i aStride]) op(B[bPos + i bStride]) + beta C[...],  i = 0 .. count-1
 * </pre>
 */
public record GemmBatch(int count, long aStride, long bStride, long cStride) {
  public GemmBatch {
    if (count < 1)
      throw new IllegalArgumentException("gemm batch: count " + count + " must be positive");
    if (aStride < 0 || bStride < 0 || cStride < 0) {
      throw new IllegalArgumentException(
          "gemm batch: strides must be non-negative, got A "
              + aStride
              + ", B "
              + bStride
              + ", C "
              + cStride);
    }
  }

  /**
   * The floats an operand of {@code matrix} floats per product spans: (count - 1) stride + matrix.
   */
  public static long span(int count, long stride, long matrix) {
    return (count - 1) * stride + matrix;
  }
}
