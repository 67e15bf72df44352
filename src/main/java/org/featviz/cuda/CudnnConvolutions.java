package org.featviz.cuda;

import static org.featviz.cuda.CudaStatus.checkCudnn;

import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import org.featviz.device.ActivationMode;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceException;
import org.featviz.device.MathMode;

/**
 * cuDNN convolutions (forward and backward-data) for {@link Cudnn}. For each geometry and math mode, cached by
 * its {@link ConvDescriptor} and the device's {@link MathMode}: the filter and convolution descriptors, and the
 * algorithms that cudnnFindConvolutionForwardAlgorithm / cudnnFindConvolutionBackwardDataAlgorithm measure fastest.
 * In FP32 the descriptor's math type is CUDNN_FMA_MATH (FMA kernels only) and results that report a tensor-op math
 * type are skipped; in TF32 it is CUDNN_DEFAULT_MATH, which lets cuDNN use TF32 tensor cores on Ampere and later
 * GPUs, and the fastest algorithm of any math type is taken. In BF16 and FP16 (the 16-bit operations that
 * {@link org.featviz.device.MixedPrecision} calls with staged operands) x, w and y are CUDNN_DATA_BFLOAT16 or
 * CUDNN_DATA_HALF tensors and the convolution descriptor's compute type stays CUDNN_DATA_FLOAT: cuDNN's
 * PSEUDO_BFLOAT16 / PSEUDO_HALF configurations, FP32 accumulation, y written in x's type; the math type is
 * CUDNN_TENSOR_OP_MATH and any algorithm is taken. One workspace, shared by every convolution of the
 * device, grows to the largest need; growing happens in {@link #prepare}, so a plan that prepares its convolutions
 * allocates nothing when it runs (in the math mode it was prepared in).
 */
final class CudnnConvolutions implements AutoCloseable {
  /** The cached state of one geometry. Algorithms are -1 until found. */
  private static final class Geometry {
    final cudnnFilterDescriptor filter = new cudnnFilterDescriptor();
    final cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
    int forwardAlgo = -1;
    long forwardBytes;
    int backwardDataAlgo = -1;
    long backwardDataBytes;
    /** The fused bias-activation forward: -1 until asked, then 1 where IMPLICIT_PRECOMP_GEMM runs it, else 0. */
    int fused = -1;
    long fusedBytes;
    MathMode mode;
  }

  /** The only algorithm cudnnConvolutionBiasActivationForward runs with ReLU. */
  private static final int FUSED_ALGO = cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;

  private final CudaDevice device;
  private final Cudnn cudnn;
  private final cudnnHandle handle;
  /** What a cached geometry is keyed by: the convolution and the math mode its algorithms were chosen for. */
  private record Key(ConvDescriptor conv, MathMode mode) {}

  private final Map<Key, Geometry> geometries = new HashMap<>();
  private DeviceBuffer workspace;

  CudnnConvolutions(CudaDevice device, Cudnn cudnn, cudnnHandle handle) {
    this.device = device;
    this.cudnn = cudnn;
    this.handle = handle;
  }

  /** Finds both algorithms of this geometry and grows the workspace for them. */
  synchronized void prepare(ConvDescriptor d) {
    Geometry g = geometry(d);
    findForward(d, g);
    findBackwardData(d, g);
    if (!g.mode.isSixteenBit()) findFused(d, g);  // in BF16/FP16, MixedPrecision decomposes the fused call
    ensureWorkspace(Math.max(Math.max(g.forwardBytes, g.backwardDataBytes), g.fusedBytes));
  }

  /**
   * y = act(alpha conv(x, w) + beta y + bias) by cudnnConvolutionBiasActivationForward with z = y and alpha2 = beta
   * (plans pass beta = 0; that z may alias y, and is not read at alpha2 = 0, is unverified on a GPU).
   * cuDNN runs that call with ReLU only with CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM (any algorithm is
   * allowed only for the identity), so that is the algorithm, whatever cudnnFind chose for the plain forward. Where
   * cuDNN does not support it for this geometry, the same result comes from three calls: the convolution,
   * cudnnAddTensor of the bias, and the activation in place; so they do where the fused call itself fails.
   */
  synchronized void biasActivationForward(ConvDescriptor d, ActivationMode mode, DeviceBuffer x, DeviceBuffer w,
      DeviceBuffer bias, DeviceBuffer y, float alpha, float beta) {
    device.bind();
    Geometry g = geometry(d);
    findFused(d, g);
    int[] biasDims = new int[d.outputDims().length];
    java.util.Arrays.fill(biasDims, 1);
    biasDims[1] = d.k();
    cudnnTensorDescriptor yDesc = cudnn.tensor(d.outputDims());
    if (g.fused == 1) {
      ensureWorkspace(g.fusedBytes);
      int status = JCudnn.cudnnConvolutionBiasActivationForward(handle, Cudnn.scalar(alpha),
          cudnn.tensor(d.inputDims()), cudnn.ptr(x), g.filter, cudnn.ptr(w), g.conv, FUSED_ALGO, workspacePointer(),
          g.fusedBytes, Cudnn.scalar(beta), yDesc, cudnn.ptr(y), cudnn.tensor(biasDims), cudnn.ptr(bias),
          cudnn.activation(mode), yDesc, cudnn.ptr(y));
      if (status == 0) return;
      // The workspace query accepted the geometry but the fused call did not: the calls below compute the same,
      // and this geometry takes them from now on (a call refused by cuDNN writes nothing, and plans pass beta = 0,
      // so the forward below overwrites y anyway; a real fault shows again in these calls, with its own message).
      g.fused = 0;
    }
    forward(d, x, w, y, alpha, beta);
    checkCudnn(JCudnn.cudnnAddTensor(handle, Cudnn.scalar(1f), cudnn.tensor(biasDims), cudnn.ptr(bias),
        Cudnn.scalar(1f), yDesc, cudnn.ptr(y)), "cudnnAddTensor(bias of " + d + ")");
    cudnn.activationForward(mode, (int) d.outputCount(), y, y, 1f, 0f);
  }

  /** Whether IMPLICIT_PRECOMP_GEMM runs this geometry (its workspace query succeeds), and its workspace. */
  private void findFused(ConvDescriptor d, Geometry g) {
    if (g.fused >= 0) return;
    device.bind();
    long[] bytes = {0};
    int status = JCudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, cudnn.tensor(d.inputDims()), g.filter, g.conv,
        cudnn.tensor(d.outputDims()), FUSED_ALGO, bytes);
    g.fused = status == 0 ? 1 : 0;  // not supported here (any status): the three-call fallback
    g.fusedBytes = status == 0 ? bytes[0] : 0;
  }

  synchronized void forward(ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha,
      float beta) {
    device.bind();
    Geometry g = geometry(d);
    findForward(d, g);
    ensureWorkspace(g.forwardBytes);
    checkCudnn(JCudnn.cudnnConvolutionForward(handle, Cudnn.scalar(alpha), cudnn.tensor(d.inputDims()), cudnn.ptr(x),
        g.filter, cudnn.ptr(w), g.conv, g.forwardAlgo, workspacePointer(), g.forwardBytes, Cudnn.scalar(beta),
        cudnn.tensor(d.outputDims()), cudnn.ptr(y)), "cudnnConvolutionForward(" + d + ", algo " + g.forwardAlgo + ")");
  }

  synchronized void backwardData(ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta) {
    device.bind();
    Geometry g = geometry(d);
    findBackwardData(d, g);
    ensureWorkspace(g.backwardDataBytes);
    checkCudnn(JCudnn.cudnnConvolutionBackwardData(handle, Cudnn.scalar(alpha), g.filter, cudnn.ptr(w),
        cudnn.tensor(d.outputDims()), cudnn.ptr(dy), g.conv, g.backwardDataAlgo, workspacePointer(),
        g.backwardDataBytes, Cudnn.scalar(beta), cudnn.tensor(d.inputDims()), cudnn.ptr(dx)),
        "cudnnConvolutionBackwardData(" + d + ", algo " + g.backwardDataAlgo + ")");
  }

  /**
   * y16 = conv(x16, w16) in a 16-bit format (BF16 or FP16), operands at byte offsets of device buffers (the staging
   * arena); FP32 accumulation, y written in 16 bits (alpha 1, beta 0: MixedPrecision blends in FP32 afterwards).
   */
  synchronized void forward16(MathMode format, ConvDescriptor d, DeviceBuffer x, long xByte, DeviceBuffer w,
      long wByte, DeviceBuffer y, long yByte) {
    device.bind();
    Geometry g = geometry(d, format);
    findForward(d, g);
    ensureWorkspace(g.forwardBytes);
    int type = dataType(format);
    checkCudnn(JCudnn.cudnnConvolutionForward(handle, Cudnn.scalar(1f), cudnn.tensor(type, d.inputDims()),
        device.pointer(x, xByte), g.filter, device.pointer(w, wByte), g.conv, g.forwardAlgo, workspacePointer(),
        g.forwardBytes, Cudnn.scalar(0f), cudnn.tensor(type, d.outputDims()), device.pointer(y, yByte)),
        "cudnnConvolutionForward(" + format + ", " + d + ", algo " + g.forwardAlgo + ")");
  }

  /** dx16 = conv_backward_data(w16, dy16) in a 16-bit format, as {@link #forward16}. */
  synchronized void backwardData16(MathMode format, ConvDescriptor d, DeviceBuffer w, long wByte, DeviceBuffer dy,
      long dyByte, DeviceBuffer dx, long dxByte) {
    device.bind();
    Geometry g = geometry(d, format);
    findBackwardData(d, g);
    ensureWorkspace(g.backwardDataBytes);
    int type = dataType(format);
    checkCudnn(JCudnn.cudnnConvolutionBackwardData(handle, Cudnn.scalar(1f), g.filter, device.pointer(w, wByte),
        cudnn.tensor(type, d.outputDims()), device.pointer(dy, dyByte), g.conv, g.backwardDataAlgo,
        workspacePointer(), g.backwardDataBytes, Cudnn.scalar(0f), cudnn.tensor(type, d.inputDims()),
        device.pointer(dx, dxByte)),
        "cudnnConvolutionBackwardData(" + format + ", " + d + ", algo " + g.backwardDataAlgo + ")");
  }

  private Geometry geometry(ConvDescriptor d) {
    return geometry(d, device.mathMode());
  }

  /** The cached descriptors and algorithms of a geometry in a math mode (16-bit data in BF16 and FP16). */
  private Geometry geometry(ConvDescriptor d, MathMode mode) {
    Key key = new Key(d, mode);
    Geometry g = geometries.get(key);
    if (g != null) return g;
    device.bind();
    g = new Geometry();
    int[] w = d.weightDims();
    checkCudnn(JCudnn.cudnnCreateFilterDescriptor(g.filter), "cudnnCreateFilterDescriptor");
    checkCudnn(JCudnn.cudnnSetFilterNdDescriptor(g.filter, dataType(mode), cudnnTensorFormat.CUDNN_TENSOR_NCHW,
        w.length, w), "cudnnSetFilterNdDescriptor(" + d + ", " + mode + ")");
    checkCudnn(JCudnn.cudnnCreateConvolutionDescriptor(g.conv), "cudnnCreateConvolutionDescriptor");
    checkCudnn(JCudnn.cudnnSetConvolutionNdDescriptor(g.conv, d.pads().length, d.pads(), d.strides(), d.dilations(),
        cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, cudnnDataType.CUDNN_DATA_FLOAT),
        "cudnnSetConvolutionNdDescriptor(" + d + ")");
    checkCudnn(JCudnn.cudnnSetConvolutionGroupCount(g.conv, d.groups()), "cudnnSetConvolutionGroupCount(" + d + ")");
    // FP32: FMA kernels only, no TF32 tensor cores. TF32: cuDNN's default, which allows TF32 tensor ops (Ampere+).
    // BF16/FP16: tensor ops on the 16-bit operands; the compute type above keeps the accumulation in FP32.
    int mathType = switch (mode) {
      case FP32 -> cudnnMathType.CUDNN_FMA_MATH;
      case TF32 -> cudnnMathType.CUDNN_DEFAULT_MATH;
      case BF16, FP16 -> cudnnMathType.CUDNN_TENSOR_OP_MATH;
    };
    checkCudnn(JCudnn.cudnnSetConvolutionMathType(g.conv, mathType),
        "cudnnSetConvolutionMathType(" + cudnnMathType.stringFor(mathType) + ")");
    g.mode = mode;
    geometries.put(key, g);
    return g;
  }

  private void findForward(ConvDescriptor d, Geometry g) {
    if (g.forwardAlgo >= 0) return;
    device.bind();
    int[] max = {0};
    checkCudnn(JCudnn.cudnnGetConvolutionForwardAlgorithmMaxCount(handle, max),
        "cudnnGetConvolutionForwardAlgorithmMaxCount");
    cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[Math.max(1, max[0])];
    for (int i = 0; i < perf.length; i++) perf[i] = new cudnnConvolutionFwdAlgoPerf();
    int[] returned = {0};
    String call = "cudnnFindConvolutionForwardAlgorithm(" + d + ")";
    int type = dataType(g.mode);
    checkCudnn(JCudnn.cudnnFindConvolutionForwardAlgorithm(handle, cudnn.tensor(type, d.inputDims()), g.filter,
        g.conv, cudnn.tensor(type, d.outputDims()), perf.length, returned, perf), call);
    for (int i = 0; i < returned[0]; i++) {
      if (perf[i].status == 0 && allowed(g.mode, perf[i].mathType)) {
        g.forwardAlgo = perf[i].algo;
        g.forwardBytes = perf[i].memory;
        return;
      }
    }
    throw new DeviceException(call + ": none of the " + returned[0] + " algorithms runs in " + g.mode);
  }

  private void findBackwardData(ConvDescriptor d, Geometry g) {
    if (g.backwardDataAlgo >= 0) return;
    device.bind();
    int[] max = {0};
    checkCudnn(JCudnn.cudnnGetConvolutionBackwardDataAlgorithmMaxCount(handle, max),
        "cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
    cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[Math.max(1, max[0])];
    for (int i = 0; i < perf.length; i++) perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
    int[] returned = {0};
    String call = "cudnnFindConvolutionBackwardDataAlgorithm(" + d + ")";
    int type = dataType(g.mode);
    checkCudnn(JCudnn.cudnnFindConvolutionBackwardDataAlgorithm(handle, g.filter, cudnn.tensor(type,
        d.outputDims()), g.conv, cudnn.tensor(type, d.inputDims()), perf.length, returned, perf), call);
    for (int i = 0; i < returned[0]; i++) {
      if (perf[i].status == 0 && allowed(g.mode, perf[i].mathType)) {
        g.backwardDataAlgo = perf[i].algo;
        g.backwardDataBytes = perf[i].memory;
        return;
      }
    }
    throw new DeviceException(call + ": none of the " + returned[0] + " algorithms runs in " + g.mode);
  }

  /** Whether an algorithm that reports this math type keeps to the mode (FP32: no tensor ops; the others: any). */
  private static boolean allowed(MathMode mode, int mathType) {
    return mode != MathMode.FP32 || mathType != cudnnMathType.CUDNN_TENSOR_OP_MATH
        && mathType != cudnnMathType.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
  }

  /** The cuDNN data type of x, w and y in a mode: FLOAT, or the 16-bit type of BF16 and FP16. */
  private static int dataType(MathMode mode) {
    return switch (mode) {
      case FP32, TF32 -> cudnnDataType.CUDNN_DATA_FLOAT;
      case BF16 -> cudnnDataType.CUDNN_DATA_BFLOAT16;
      case FP16 -> cudnnDataType.CUDNN_DATA_HALF;
    };
  }

  private void ensureWorkspace(long bytes) {
    if (bytes == 0 || (workspace != null && workspace.bytes() >= bytes)) return;
    if (workspace != null) workspace.close();
    workspace = device.allocate(bytes);
  }

  private Pointer workspacePointer() {
    return workspace == null ? new Pointer() : cudnn.ptr(workspace);
  }

  /** Bytes of the shared workspace now (0 before any convolution needed one). */
  synchronized long workspaceBytes() {
    return workspace == null || workspace.isClosed() ? 0 : workspace.bytes();
  }

  @Override
  public synchronized void close() {
    for (Geometry g : geometries.values()) {
      checkCudnn(JCudnn.cudnnDestroyFilterDescriptor(g.filter), "cudnnDestroyFilterDescriptor");
      checkCudnn(JCudnn.cudnnDestroyConvolutionDescriptor(g.conv), "cudnnDestroyConvolutionDescriptor");
    }
    geometries.clear();
    if (workspace != null) workspace.close();  // already freed when the device closes first; close is idempotent
  }
}
