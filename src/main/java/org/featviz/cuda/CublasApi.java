package org.featviz.cuda;

import jcuda.jcublas.cublasHandle;

/**
 * The cuBLAS calls featviz makes, one method per C function (named without the {@code cublas}
 * prefix), with cuBLAS's own argument order (the GEMMs' shared arguments as one {@link Gemm}, what
 * the batched and Ex forms add as {@link Strides} and {@link Types}) and constants ({@code
 * cublasOperation}, {@code cudaDataType}, ...) and its status as the result (0 is success). Device
 * memory is a {@link DevicePtr}; the host scalars alpha and beta are plain floats. {@link
 * JCublasApi} forwards to JCublas2; the tests' binding fake computes the documented semantics on
 * host copies, so {@link Cublas} (the operand swap, leading dimensions, strides, types) runs in CI
 * without a GPU.
 */
interface CublasApi {
  /**
   * Makes the device's context current on the calling thread (not a cuBLAS call: cuBLAS runs in
   * that context).
   */
  void bind();

  int create(cublasHandle handle);

  int destroy(cublasHandle handle);

  /**
   * cublasSetStream with the device's stream, so library calls keep the order of the device's
   * kernels.
   */
  int setStream(cublasHandle handle);

  int setMathMode(cublasHandle handle, int mode);

  int getVersion(cublasHandle handle, int[] version);

  /**
   * The arguments every cuBLAS GEMM takes, in cublasSgemm_v2's order: C = alpha op(A) op(B) + beta
   * C, column-major, op(A) m x k, op(B) k x n, C m x n, each matrix with its leading dimension.
   */
  record Gemm(
      int transa,
      int transb,
      int m,
      int n,
      int k,
      float alpha,
      DevicePtr a,
      int lda,
      DevicePtr b,
      int ldb,
      float beta,
      DevicePtr c,
      int ldc) {}

  /**
   * What the strided-batched forms add: product i reads A + i strideA, B + i strideB, C + i strideC
   * (elements of each operand's own type), for batchCount products.
   */
  record Strides(long strideA, long strideB, long strideC, int batchCount) {}

  /** What the Ex forms add: each operand's cudaDataType, the compute type and the algorithm. */
  record Types(int aType, int bType, int cType, int computeType, int algo) {}

  /** cublasSgemm_v2 (float operands). */
  int sgemm(cublasHandle handle, Gemm g);

  /** cublasSgemmStridedBatched, strides after each operand's leading dimension. */
  int sgemmStridedBatched(cublasHandle handle, Gemm g, Strides strides);

  /**
   * cublasGemmEx with float alpha and beta, each operand's type after its pointer, the compute type
   * and algorithm last.
   */
  int gemmEx(cublasHandle handle, Gemm g, Types types);

  /** cublasGemmStridedBatchedEx: both additions in their places. */
  int gemmStridedBatchedEx(cublasHandle handle, Gemm g, Strides strides, Types types);
}
