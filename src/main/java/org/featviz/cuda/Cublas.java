package org.featviz.cuda;

import static org.featviz.cuda.CudaStatus.checkCublas;

import jcuda.cudaDataType;
import jcuda.jcublas.cublasComputeType;
import jcuda.jcublas.cublasGemmAlgo;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.GemmBatch;
import org.featviz.device.GemmCall;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.MathMode;

/**
 * cuBLAS for {@link CudaDevice}: one handle on the device's stream, its math mode following the
 * device's {@link MathMode} before every GEMM. FP32 is CUBLAS_DEFAULT_MATH: since CUDA 11 that mode
 * never computes with fewer mantissa bits than the data type asks for, so FP32 SGEMM stays off TF32
 * tensor cores (unless the environment sets NVIDIA_TF32_OVERRIDE, which only ever disables TF32);
 * CUBLAS_PEDANTIC_MATH would also forbid reduced-precision reductions and is slower, meant for
 * numerical testing, so it is not used. TF32 is CUBLAS_TF32_TENSOR_OP_MATH. BF16 and FP16 GEMMs
 * ({@link #gemm} on 16-bit operands, called by MixedPrecision with staged 16-bit A and B) are
 * cublasGemmEx with CUBLAS_COMPUTE_32F under the default math. Every call goes through a {@link
 * CublasApi}: JCublas2 on a GPU ({@link JCublasApi}), the binding fake in CI, which computes
 * cuBLAS's documented column-major semantics and so checks the swap below without a GPU.
 *
 * <p>featviz's GEMM is row-major; cuBLAS is column-major. A row-major matrix is its transpose read
 * column-major, so for C = op(A) op(B) (row-major) this computes C^T = op(B)^T op(A)^T
 * (column-major), which is the same memory: the operands swap places, M and N swap, and each keeps
 * its own transpose flag. Leading dimensions are the row-major row lengths: A stored [M, K] has lda
 * = K ([K, M] with transA: M), B stored [K, N] has ldb = N ([N, K]: K), C has ldc = N.
 */
final class Cublas implements AutoCloseable {
  private final Device device;
  private final CublasApi api;
  private final cublasHandle handle = new cublasHandle();
  private MathMode handleMode = MathMode.FP32;
  private boolean closed;

  Cublas(CudaDevice device) {
    this(device, new JCublasApi(device));
  }

  /** cuBLAS for {@code device} (whose math mode it follows) through {@code api}. */
  Cublas(Device device, CublasApi api) {
    this.device = device;
    this.api = api;
    api.bind();
    checkCublas(api.create(handle), "cublasCreate");
    checkCublas(api.setStream(handle), "cublasSetStream");
    checkCublas(
        api.setMathMode(handle, cublasMath.CUBLAS_DEFAULT_MATH), "cublasSetMathMode(DEFAULT)");
  }

  /** Sets the handle's math mode to the device's where they differ. */
  private void followMathMode() {
    MathMode mode = device.mathMode();
    if (mode == handleMode) return;
    // BF16/FP16 GEMMs (gemm16) use tensor cores under the default math: their inputs are 16-bit
    // already.
    boolean tf32 = mode == MathMode.TF32;
    checkCublas(
        api.setMathMode(
            handle, tf32 ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH),
        tf32 ? "cublasSetMathMode(TF32_TENSOR_OP)" : "cublasSetMathMode(DEFAULT)");
    handleMode = mode;
  }

  /**
   * cuBLAS's version as cublasGetVersion reports it, e.g. 130001 for 13.0.1 (MAJOR*10000 +
   * MINOR*100 + PATCH).
   */
  int version() {
    int[] v = {0};
    checkCublas(api.getVersion(handle, v), "cublasGetVersion");
    return v[0];
  }

  /**
   * C [M, N] = alpha op(A) op(B) + beta C, row-major (see the class comment for the swap), as
   * cublasSgemm_v2, or with a batch cublasSgemmStridedBatched: product i reads each operand {@code
   * i * stride} past its position (0 broadcasts one matrix); cuBLAS's strides are per operand, so
   * the swap keeps them. With A and B in a 16-bit format (BF16 or FP16) at byte offsets (the
   * staging arena; strides count 16-bit values): cublasGemmEx or cublasGemmStridedBatchedEx with
   * CUDA_R_16BF / CUDA_R_16F inputs, a CUDA_R_32F C and CUBLAS_COMPUTE_32F (FP32 accumulation,
   * tensor cores where the GPU has them). C's position is in floats.
   */
  void gemm(GemmCall call) {
    api.bind();
    followMathMode();
    GemmDescriptor d = call.d();
    GemmBatch batch = call.batch();
    Operands o = Operands.of(d);
    boolean sixteen = call.sixteenBit();
    // cuBLAS's A is featviz's B (see the class comment); 16-bit operands sit at byte offsets
    DevicePtr a = sixteen ? DevicePtr.at(call.a(), call.aPos()) : floats(call.a(), call.aPos());
    DevicePtr b = sixteen ? DevicePtr.at(call.b(), call.bPos()) : floats(call.b(), call.bPos());
    CublasApi.Gemm g =
        new CublasApi.Gemm(
            o.opB,
            o.opA,
            d.n(),
            d.m(),
            d.k(),
            call.alpha(),
            b,
            o.ldb,
            a,
            o.lda,
            call.beta(),
            floats(call.c(), call.cPos()),
            d.n());
    CublasApi.Strides strides =
        batch == null
            ? null
            : new CublasApi.Strides(
                batch.bStride(), batch.aStride(), batch.cStride(), batch.count());
    String shape = d + (batch == null ? "" : ", " + batch) + ")";
    if (!sixteen) {
      if (strides == null) checkCublas(api.sgemm(handle, g), "cublasSgemm_v2(" + shape);
      else
        checkCublas(
            api.sgemmStridedBatched(handle, g, strides), "cublasSgemmStridedBatched(" + shape);
      return;
    }
    int type = sixteenBitType(call.format());
    CublasApi.Types types =
        new CublasApi.Types(
            type,
            type,
            cudaDataType.CUDA_R_32F,
            cublasComputeType.CUBLAS_COMPUTE_32F,
            cublasGemmAlgo.CUBLAS_GEMM_DEFAULT);
    String named = call.format() + ", " + shape;
    if (strides == null) checkCublas(api.gemmEx(handle, g, types), "cublasGemmEx(" + named);
    else
      checkCublas(
          api.gemmStridedBatchedEx(handle, g, strides, types),
          "cublasGemmStridedBatchedEx(" + named);
  }

  /**
   * cuBLAS's operations and leading dimensions for featviz's row-major C = op(A) op(B), computed as
   * the column-major C^T = op(B)^T op(A)^T: B goes first (see the class comment).
   */
  private record Operands(int opA, int opB, int lda, int ldb) {
    static Operands of(GemmDescriptor d) {
      return new Operands(
          d.transA() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
          d.transB() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
          d.transA() ? d.m() : d.k(),
          d.transB() ? d.k() : d.n());
    }
  }

  /** A float position of a buffer as a device address. */
  private static DevicePtr floats(DeviceBuffer buffer, long pos) {
    return DevicePtr.at(buffer, pos * Float.BYTES);
  }

  /** cuBLAS's data type of a 16-bit format. */
  private static int sixteenBitType(MathMode format) {
    return switch (format) {
      case BF16 -> cudaDataType.CUDA_R_16BF;
      case FP16 -> cudaDataType.CUDA_R_16F;
      default ->
          throw new IllegalArgumentException("math mode " + format + " has no 16-bit format");
    };
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    api.bind();
    checkCublas(api.destroy(handle), "cublasDestroy");
  }
}
