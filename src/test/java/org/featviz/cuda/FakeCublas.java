package org.featviz.cuda;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;
import static jcuda.jcublas.cublasStatus.CUBLAS_STATUS_INVALID_VALUE;
import static jcuda.jcublas.cublasStatus.CUBLAS_STATUS_NOT_INITIALIZED;
import static jcuda.jcublas.cublasStatus.CUBLAS_STATUS_NOT_SUPPORTED;
import static jcuda.jcublas.cublasStatus.CUBLAS_STATUS_SUCCESS;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import jcuda.jcublas.cublasComputeType;
import jcuda.jcublas.cublasGemmAlgo;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import org.featviz.cuda.CublasApi.Gemm;
import org.featviz.cuda.CublasApi.Strides;
import org.featviz.cuda.CublasApi.Types;
import org.featviz.cuda.FakeMemory.Elements;
import org.featviz.cuda.FakeMemory.Type;

/**
 * cuBLAS's documented semantics on host memory, for testing {@link Cublas} without a GPU. Written
 * from the cuBLAS documentation, sharing nothing with featviz's CPU reference:
 *
 * <pre>
 * C = alpha op(A) op(B) + beta C, all column-major: element (i, j) of a matrix X with leading dimension ldX is
 * X[i + j ldX]; op(A) is m x k, A stored m x k (lda >= max(1, m)) or, with CUBLAS_OP_T, k x m (lda >= max(1, k));
 * op(B) is k x n, B stored k x n (ldb >= max(1, k)) or n x k (ldb >= max(1, n)); C is m x n, ldc >= max(1, m).
 * beta = 0: C is not read (it may hold NaN). Elements of C outside its m x n window are untouched.
 * Strided batched: product i reads A + i strideA, B + i strideB and writes C + i strideC (elements).
 * GemmEx: A and B of one type (CUDA_R_32F, _16F, _16BF), C CUDA_R_32F, CUBLAS_COMPUTE_32F; others not supported.
 * Math mode CUBLAS_TF32_TENSOR_OP_MATH: FP32 A and B pass through TensorFloat-32 (see {@link FakeTf32}).
 * </pre>
 *
 * Products accumulate in double, so the fake is exact to float rounding. An invalid argument
 * returns cuBLAS's status (CUBLAS_STATUS_INVALID_VALUE, _NOT_SUPPORTED, _NOT_INITIALIZED for an
 * unknown handle); a read or write outside a buffer throws {@link FakeMemory.Fault}. Every GEMM is
 * logged ({@link #calls}).
 */
final class FakeCublas implements CublasApi {
  /** The version cublasGetVersion reports (13.0.1). */
  static final int VERSION = 130001;

  /** One GEMM call as it reached the library. */
  record Call(
      String name,
      int transa,
      int transb,
      int m,
      int n,
      int k,
      int lda,
      int ldb,
      int ldc,
      int batch,
      int mathMode) {}

  private static final class Handle {
    int mathMode = cublasMath.CUBLAS_DEFAULT_MATH;
    boolean streamSet;
  }

  private final Map<cublasHandle, Handle> handles = new IdentityHashMap<>();

  /** What FP32 operands become under CUBLAS_TF32_TENSOR_OP_MATH. */
  FakeTf32 tf32 = FakeTf32.ROUND;

  final List<Call> calls = new ArrayList<>();
  int created;
  int destroyed;

  @Override
  public void bind() {}

  @Override
  public synchronized int create(cublasHandle handle) {
    handles.put(handle, new Handle());
    created++;
    return CUBLAS_STATUS_SUCCESS;
  }

  @Override
  public synchronized int destroy(cublasHandle handle) {
    if (handles.remove(handle) == null) return CUBLAS_STATUS_NOT_INITIALIZED;
    destroyed++;
    return CUBLAS_STATUS_SUCCESS;
  }

  @Override
  public synchronized int setStream(cublasHandle handle) {
    Handle h = handles.get(handle);
    if (h == null) return CUBLAS_STATUS_NOT_INITIALIZED;
    h.streamSet = true;
    return CUBLAS_STATUS_SUCCESS;
  }

  /** Whether every live handle was bound to the device's stream. */
  synchronized boolean allOnTheDeviceStream() {
    return handles.values().stream().allMatch(h -> h.streamSet);
  }

  @Override
  public synchronized int setMathMode(cublasHandle handle, int mode) {
    Handle h = handles.get(handle);
    if (h == null) return CUBLAS_STATUS_NOT_INITIALIZED;
    int base = mode & ~cublasMath.CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
    if (base != cublasMath.CUBLAS_DEFAULT_MATH
        && base != cublasMath.CUBLAS_TENSOR_OP_MATH
        && base != cublasMath.CUBLAS_PEDANTIC_MATH
        && base != cublasMath.CUBLAS_TF32_TENSOR_OP_MATH) {
      return CUBLAS_STATUS_INVALID_VALUE;
    }
    h.mathMode = base;
    return CUBLAS_STATUS_SUCCESS;
  }

  @Override
  public synchronized int getVersion(cublasHandle handle, int[] version) {
    if (!handles.containsKey(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    version[0] = VERSION;
    return CUBLAS_STATUS_SUCCESS;
  }

  @Override
  public int sgemm(cublasHandle handle, Gemm g) {
    return gemm("cublasSgemm", handle, g, null, null);
  }

  @Override
  public int sgemmStridedBatched(cublasHandle handle, Gemm g, Strides strides) {
    return gemm("cublasSgemmStridedBatched", handle, g, strides, null);
  }

  @Override
  public int gemmEx(cublasHandle handle, Gemm g, Types types) {
    return gemm("cublasGemmEx", handle, g, null, types);
  }

  @Override
  public int gemmStridedBatchedEx(cublasHandle handle, Gemm g, Strides strides, Types types) {
    return gemm("cublasGemmStridedBatchedEx", handle, g, strides, types);
  }

  /**
   * The type combinations of cublasGemmEx that featviz may use: A and B alike, C FP32, FP32
   * compute.
   */
  private static int checkEx(Types t) {
    if (Type.ofCuda(t.aType()) == null
        || t.aType() != t.bType()
        || Type.ofCuda(t.cType()) != Type.F32
        || t.computeType() != cublasComputeType.CUBLAS_COMPUTE_32F) {
      return CUBLAS_STATUS_NOT_SUPPORTED;
    }
    if (t.algo() != cublasGemmAlgo.CUBLAS_GEMM_DEFAULT
        && t.algo() != cublasGemmAlgo.CUBLAS_GEMM_DEFAULT_TENSOR_OP) {
      return CUBLAS_STATUS_INVALID_VALUE;
    }
    return CUBLAS_STATUS_SUCCESS;
  }

  /**
   * Every GEMM form: the batched ones without strides are one product at stride 0, the others'
   * operands FP32; the Ex forms' type combination checked first.
   */
  private int gemm(String name, cublasHandle handle, Gemm g, Strides strides, Types types) {
    if (types != null) {
      int status = checkEx(types);
      if (status != CUBLAS_STATUS_SUCCESS) return status;
    }
    Strides st = strides == null ? new Strides(0, 0, 0, 1) : strides;
    Type aType = types == null ? Type.F32 : Type.ofCuda(types.aType());
    Type bType = types == null ? Type.F32 : Type.ofCuda(types.bType());
    int m = g.m();
    int n = g.n();
    int k = g.k();
    Handle h;
    synchronized (this) {
      h = handles.get(handle);
    }
    if (h == null) return CUBLAS_STATUS_NOT_INITIALIZED;
    boolean ta = g.transa() == CUBLAS_OP_T;
    boolean tb = g.transb() == CUBLAS_OP_T;
    if (m < 0
        || n < 0
        || k < 0
        || st.batchCount() < 0
        || (!ta && g.transa() != CUBLAS_OP_N)
        || (!tb && g.transb() != CUBLAS_OP_N)) {
      return CUBLAS_STATUS_INVALID_VALUE;
    }
    int aRows = ta ? k : m;
    int aCols = ta ? m : k;
    int bRows = tb ? n : k;
    int bCols = tb ? k : n;
    int lda = g.lda();
    int ldb = g.ldb();
    if (lda < Math.max(1, aRows) || ldb < Math.max(1, bRows) || g.ldc() < Math.max(1, m)) {
      return CUBLAS_STATUS_INVALID_VALUE;
    }
    synchronized (this) {
      calls.add(
          new Call(
              name,
              g.transa(),
              g.transb(),
              m,
              n,
              k,
              lda,
              ldb,
              g.ldc(),
              st.batchCount(),
              h.mathMode));
    }
    if (m == 0 || n == 0 || st.batchCount() == 0) return CUBLAS_STATUS_SUCCESS;
    FakeTf32 operands =
        h.mathMode == cublasMath.CUBLAS_TF32_TENSOR_OP_MATH && aType == Type.F32
            ? tf32
            : FakeTf32.NONE;
    for (int p = 0; p < st.batchCount(); p++) {
      // k = 0: A and B are not read (C = beta C), and may be null
      Elements av =
          k == 0 ? null : product(name + " A", p, g.a(), st.strideA(), aType, aRows, aCols, lda);
      Elements bv =
          k == 0 ? null : product(name + " B", p, g.b(), st.strideB(), bType, bRows, bCols, ldb);
      Elements cv = product(name + " C", p, g.c(), st.strideC(), Type.F32, m, n, g.ldc());
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
          double sum = 0;
          for (int q = 0; q < k; q++) {
            float x = operands.apply(av.get(ta ? q + (long) i * lda : i + (long) q * lda));
            float y = operands.apply(bv.get(tb ? j + (long) q * ldb : q + (long) j * ldb));
            sum += (double) x * y;
          }
          long at = i + (long) j * g.ldc();
          double prior = g.beta() == 0 ? 0 : (double) g.beta() * cv.get(at);
          cv.set(at, (float) (g.alpha() * sum + prior));
        }
      }
    }
    return CUBLAS_STATUS_SUCCESS;
  }

  /** The matrix of product p of a strided batch at base: its elements, named in messages. */
  private static Elements product(
      String what, int p, DevicePtr base, long stride, Type type, int rows, int cols, int ld) {
    return FakeMemory.elements(
        what + " of product " + p,
        FakeMemory.plus(base, p * stride, type),
        type,
        span(rows, cols, ld));
  }

  /** Elements a column-major rows x cols matrix with leading dimension ld spans. */
  private static long span(int rows, int cols, int ld) {
    return rows == 0 || cols == 0 ? 0 : (long) (cols - 1) * ld + rows;
  }
}
