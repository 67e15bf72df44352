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
  public int sgemm(cublasHandle handle, Gemm g) {
    return JCublas2.cublasSgemm(
        handle,
        g.transa(),
        g.transb(),
        g.m(),
        g.n(),
        g.k(),
        host(g.alpha()),
        ptr(g.a()),
        g.lda(),
        ptr(g.b()),
        g.ldb(),
        host(g.beta()),
        ptr(g.c()),
        g.ldc());
  }

  @Override
  public int sgemmStridedBatched(cublasHandle handle, Gemm g, Strides s) {
    return JCublas2.cublasSgemmStridedBatched(
        handle,
        g.transa(),
        g.transb(),
        g.m(),
        g.n(),
        g.k(),
        host(g.alpha()),
        ptr(g.a()),
        g.lda(),
        s.strideA(),
        ptr(g.b()),
        g.ldb(),
        s.strideB(),
        host(g.beta()),
        ptr(g.c()),
        g.ldc(),
        s.strideC(),
        s.batchCount());
  }

  @Override
  public int gemmEx(cublasHandle handle, Gemm g, Types t) {
    return JCublas2.cublasGemmEx_new(
        handle,
        g.transa(),
        g.transb(),
        g.m(),
        g.n(),
        g.k(),
        host(g.alpha()),
        ptr(g.a()),
        t.aType(),
        g.lda(),
        ptr(g.b()),
        t.bType(),
        g.ldb(),
        host(g.beta()),
        ptr(g.c()),
        t.cType(),
        g.ldc(),
        t.computeType(),
        t.algo());
  }

  @Override
  public int gemmStridedBatchedEx(cublasHandle handle, Gemm g, Strides s, Types t) {
    return JCublas2.cublasGemmStridedBatchedEx_new(
        handle,
        g.transa(),
        g.transb(),
        g.m(),
        g.n(),
        g.k(),
        host(g.alpha()),
        ptr(g.a()),
        t.aType(),
        g.lda(),
        s.strideA(),
        ptr(g.b()),
        t.bType(),
        g.ldb(),
        s.strideB(),
        host(g.beta()),
        ptr(g.c()),
        t.cType(),
        g.ldc(),
        s.strideC(),
        s.batchCount(),
        t.computeType(),
        t.algo());
  }
}
