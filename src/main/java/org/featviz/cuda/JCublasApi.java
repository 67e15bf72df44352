package org.featviz.cuda;

import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;

/**
 * {@link CublasApi} on a GPU: each call forwards to JCublas2 with the device's pointers and stream.
 */
final class JCublasApi extends JCudaBinding implements CublasApi {
  JCublasApi(CudaDevice device) {
    super(device);
  }

  @Override
  public int create(cublasHandle handle) {
    return JCublas2.cublasCreate(handle);
  }

  @Override
  public int destroy(cublasHandle handle) {
    return JCublas2.cublasDestroy(handle);
  }

  @Override
  public int setStream(cublasHandle handle) {
    return JCublas2.cublasSetStream(handle, device.runtimeStream());
  }

  @Override
  public int setMathMode(cublasHandle handle, int mode) {
    return JCublas2.cublasSetMathMode(handle, mode);
  }

  @Override
  public int getVersion(cublasHandle handle, int[] version) {
    return JCublas2.cublasGetVersion(handle, version);
  }

  @Override
  public int sgemm(
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
      int ldc) {
    return JCublas2.cublasSgemm(
        handle,
        transa,
        transb,
        m,
        n,
        k,
        host(alpha),
        ptr(a),
        lda,
        ptr(b),
        ldb,
        host(beta),
        ptr(c),
        ldc);
  }

  @Override
  public int sgemmStridedBatched(
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
      int batchCount) {
    return JCublas2.cublasSgemmStridedBatched(
        handle,
        transa,
        transb,
        m,
        n,
        k,
        host(alpha),
        ptr(a),
        lda,
        strideA,
        ptr(b),
        ldb,
        strideB,
        host(beta),
        ptr(c),
        ldc,
        strideC,
        batchCount);
  }

  @Override
  public int gemmEx(
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
      int algo) {
    return JCublas2.cublasGemmEx_new(
        handle,
        transa,
        transb,
        m,
        n,
        k,
        host(alpha),
        ptr(a),
        aType,
        lda,
        ptr(b),
        bType,
        ldb,
        host(beta),
        ptr(c),
        cType,
        ldc,
        computeType,
        algo);
  }

  @Override
  public int gemmStridedBatchedEx(
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
      int algo) {
    return JCublas2.cublasGemmStridedBatchedEx_new(
        handle,
        transa,
        transb,
        m,
        n,
        k,
        host(alpha),
        ptr(a),
        aType,
        lda,
        strideA,
        ptr(b),
        bType,
        ldb,
        strideB,
        host(beta),
        ptr(c),
        cType,
        ldc,
        strideC,
        batchCount,
        computeType,
        algo);
  }
}
