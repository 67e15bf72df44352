package org.featviz.cuda;

import jcuda.jcublas.cublasHandle;

/**
 * The cuBLAS calls featviz makes, one method per C function (named without the {@code cublas}
 * prefix), with cuBLAS's own argument order and constants ({@code cublasOperation}, {@code
 * cudaDataType}, ...) and its status as the result (0 is success). Device memory is a {@link
 * DevicePtr}; the host scalars alpha and beta are plain floats. {@link JCublasApi} forwards to
 * JCublas2; the tests' binding fake computes the documented semantics on host copies, so {@link
 * Cublas} (the operand swap, leading dimensions, strides, types) runs in CI without a GPU.
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
   * cublasSgemm_v2: C = alpha op(A) op(B) + beta C, column-major, op(A) m x k, op(B) k x n, C m x
   * n.
   */
  int sgemm(
      cublasHandle handle,
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
      int ldc);

  /**
   * cublasSgemmStridedBatched: product i reads A + i strideA, B + i strideB, C + i strideC (strides
   * in floats).
   */
  int sgemmStridedBatched(
      cublasHandle handle,
      int transa,
      int transb,
      int m,
      int n,
      int k,
      float alpha,
      DevicePtr a,
      int lda,
      long strideA,
      DevicePtr b,
      int ldb,
      long strideB,
      float beta,
      DevicePtr c,
      int ldc,
      long strideC,
      int batchCount);

  /** cublasGemmEx with float alpha and beta (compute type CUBLAS_COMPUTE_32F). */
  int gemmEx(
      cublasHandle handle,
      int transa,
      int transb,
      int m,
      int n,
      int k,
      float alpha,
      DevicePtr a,
      int aType,
      int lda,
      DevicePtr b,
      int bType,
      int ldb,
      float beta,
      DevicePtr c,
      int cType,
      int ldc,
      int computeType,
      int algo);

  /** cublasGemmStridedBatchedEx; strides count elements of each operand's own type. */
  int gemmStridedBatchedEx(
      cublasHandle handle,
      int transa,
      int transb,
      int m,
      int n,
      int k,
      float alpha,
      DevicePtr a,
      int aType,
      int lda,
      long strideA,
      DevicePtr b,
      int bType,
      int ldb,
      long strideB,
      float beta,
      DevicePtr c,
      int cType,
      int ldc,
      long strideC,
      int batchCount,
      int computeType,
      int algo);
}
