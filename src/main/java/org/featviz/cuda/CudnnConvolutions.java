package org.featviz.cuda;

import static org.featviz.cuda.CudaStatus.checkCudnn;

import java.util.HashMap;
import java.util.Map;
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
import org.featviz.device.Device;
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

  private final Device device;
  private final Cudnn cudnn;
  private final CudnnApi api;
  private final cudnnHandle handle;
  /** What a cached geometry is keyed by: the convolution and the math mode its algorithms were chosen for. */
  private record Key(ConvDescriptor conv, MathMode mode) {}

  private final Map<Key, Geometry> geometries = new HashMap<>();
  private DeviceBuffer workspace;

  CudnnConvolutions(Device device, Cudnn cudnn, CudnnApi api, cudnnHandle handle) {
    this.device = device;
    this.cudnn = cudnn;
    this.api = api;
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
    api.bind();
    Geometry g = geometry(d);
    findFused(d, g);
    int[] biasDims = new int[d.outputDims().length];
    java.util.Arrays.fill(biasDims, 1);
    biasDims[1] = d.k();
    cudnnTensorDescriptor yDesc = cudnn.tensor(d.outputDims());
    if (g.fused == 1) {
      ensureWorkspace(g.fusedBytes);
      int status = api.convolutionBiasActivationForward(handle, alpha,
          cudnn.tensor(d.inputDims()), Cudnn.ptr(x), g.filter, Cudnn.ptr(w), g.conv, FUSED_ALGO, workspacePointer(),
          g.fusedBytes, beta, yDesc, Cudnn.ptr(y), cudnn.tensor(biasDims), Cudnn.ptr(bias),
          cudnn.activation(mode), yDesc, Cudnn.ptr(y));
      if (status == 0) return;
      // The workspace query accepted the geometry but the fused call did not: the calls below compute the same,
      // and this geometry takes them from now on (a call refused by cuDNN writes nothing, and plans pass beta = 0,
      // so the forward below overwrites y anyway; a real fault shows again in these calls, with its own message).
      g.fused = 0;
    }
    forward(d, x, w, y, alpha, beta);
    checkCudnn(api.addTensor(handle, 1f, cudnn.tensor(biasDims), Cudnn.ptr(bias),
        1f, yDesc, Cudnn.ptr(y)), "cudnnAddTensor(bias of " + d + ")");
    cudnn.activationForward(mode, (int) d.outputCount(), y, y, 1f, 0f);
  }

  /** Whether IMPLICIT_PRECOMP_GEMM runs this geometry (its workspace query succeeds), and its workspace. */
  private void findFused(ConvDescriptor d, Geometry g) {
    if (g.fused >= 0) return;
    api.bind();
    long[] bytes = {0};
    int status = api.getConvolutionForwardWorkspaceSize(handle, cudnn.tensor(d.inputDims()), g.filter, g.conv,
        cudnn.tensor(d.outputDims()), FUSED_ALGO, bytes);
    g.fused = status == 0 ? 1 : 0;  // not supported here (any status): the three-call fallback
    g.fusedBytes = status == 0 ? bytes[0] : 0;
  }

  synchronized void forward(ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha,
      float beta) {
    api.bind();
    Geometry g = geometry(d);
    findForward(d, g);
    ensureWorkspace(g.forwardBytes);
    checkCudnn(api.convolutionForward(handle, alpha, cudnn.tensor(d.inputDims()), Cudnn.ptr(x),
        g.filter, Cudnn.ptr(w), g.conv, g.forwardAlgo, workspacePointer(), g.forwardBytes, beta,
        cudnn.tensor(d.outputDims()), Cudnn.ptr(y)), "cudnnConvolutionForward(" + d + ", algo " + g.forwardAlgo + ")");
  }

  synchronized void backwardData(ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta) {
    api.bind();
    Geometry g = geometry(d);
    findBackwardData(d, g);
    ensureWorkspace(g.backwardDataBytes);
    checkCudnn(api.convolutionBackwardData(handle, alpha, g.filter, Cudnn.ptr(w),
        cudnn.tensor(d.outputDims()), Cudnn.ptr(dy), g.conv, g.backwardDataAlgo, workspacePointer(),
        g.backwardDataBytes, beta, cudnn.tensor(d.inputDims()), Cudnn.ptr(dx)),
        "cudnnConvolutionBackwardData(" + d + ", algo " + g.backwardDataAlgo + ")");
  }

  /**
   * y16 = conv(x16, w16) in a 16-bit format (BF16 or FP16), operands at byte offsets of device buffers (the staging
   * arena); FP32 accumulation, y written in 16 bits (alpha 1, beta 0: MixedPrecision blends in FP32 afterwards).
   */
  synchronized void forward16(MathMode format, ConvDescriptor d, DeviceBuffer x, long xByte, DeviceBuffer w,
      long wByte, DeviceBuffer y, long yByte) {
    api.bind();
    Geometry g = geometry(d, format);
    findForward(d, g);
    ensureWorkspace(g.forwardBytes);
    int type = dataType(format);
    checkCudnn(api.convolutionForward(handle, 1f, cudnn.tensor(type, d.inputDims()),
        DevicePtr.at(x, xByte), g.filter, DevicePtr.at(w, wByte), g.conv, g.forwardAlgo, workspacePointer(),
        g.forwardBytes, 0f, cudnn.tensor(type, d.outputDims()), DevicePtr.at(y, yByte)),
        "cudnnConvolutionForward(" + format + ", " + d + ", algo " + g.forwardAlgo + ")");
  }

  /** dx16 = conv_backward_data(w16, dy16) in a 16-bit format, as {@link #forward16}. */
  synchronized void backwardData16(MathMode format, ConvDescriptor d, DeviceBuffer w, long wByte, DeviceBuffer dy,
      long dyByte, DeviceBuffer dx, long dxByte) {
    api.bind();
    Geometry g = geometry(d, format);
    findBackwardData(d, g);
    ensureWorkspace(g.backwardDataBytes);
    int type = dataType(format);
    checkCudnn(api.convolutionBackwardData(handle, 1f, g.filter, DevicePtr.at(w, wByte),
        cudnn.tensor(type, d.outputDims()), DevicePtr.at(dy, dyByte), g.conv, g.backwardDataAlgo,
        workspacePointer(), g.backwardDataBytes, 0f, cudnn.tensor(type, d.inputDims()),
        DevicePtr.at(dx, dxByte)),
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
    api.bind();
    g = new Geometry();
    int[] w = d.weightDims();
    checkCudnn(api.createFilterDescriptor(g.filter), "cudnnCreateFilterDescriptor");
    checkCudnn(api.setFilterNdDescriptor(g.filter, dataType(mode), cudnnTensorFormat.CUDNN_TENSOR_NCHW,
        w.length, w), "cudnnSetFilterNdDescriptor(" + d + ", " + mode + ")");
    checkCudnn(api.createConvolutionDescriptor(g.conv), "cudnnCreateConvolutionDescriptor");
    checkCudnn(api.setConvolutionNdDescriptor(g.conv, d.pads().length, d.pads(), d.strides(), d.dilations(),
        cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, cudnnDataType.CUDNN_DATA_FLOAT),
        "cudnnSetConvolutionNdDescriptor(" + d + ")");
    checkCudnn(api.setConvolutionGroupCount(g.conv, d.groups()), "cudnnSetConvolutionGroupCount(" + d + ")");
    // FP32: FMA kernels only, no TF32 tensor cores. TF32: cuDNN's default, which allows TF32 tensor ops (Ampere+).
    // BF16/FP16: tensor ops on the 16-bit operands; the compute type above keeps the accumulation in FP32.
    int mathType = switch (mode) {
      case FP32 -> cudnnMathType.CUDNN_FMA_MATH;
      case TF32 -> cudnnMathType.CUDNN_DEFAULT_MATH;
      case BF16, FP16 -> cudnnMathType.CUDNN_TENSOR_OP_MATH;
    };
    checkCudnn(api.setConvolutionMathType(g.conv, mathType),
        "cudnnSetConvolutionMathType(" + cudnnMathType.stringFor(mathType) + ")");
    g.mode = mode;
    geometries.put(key, g);
    return g;
  }

  private void findForward(ConvDescriptor d, Geometry g) {
    if (g.forwardAlgo >= 0) return;
    api.bind();
    int[] max = {0};
    checkCudnn(api.getConvolutionForwardAlgorithmMaxCount(handle, max),
        "cudnnGetConvolutionForwardAlgorithmMaxCount");
    cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[Math.max(1, max[0])];
    for (int i = 0; i < perf.length; i++) perf[i] = new cudnnConvolutionFwdAlgoPerf();
    int[] returned = {0};
    String call = "cudnnFindConvolutionForwardAlgorithm(" + d + ")";
    int type = dataType(g.mode);
    checkCudnn(api.findConvolutionForwardAlgorithm(handle, cudnn.tensor(type, d.inputDims()), g.filter,
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
    api.bind();
    int[] max = {0};
    checkCudnn(api.getConvolutionBackwardDataAlgorithmMaxCount(handle, max),
        "cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
    cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[Math.max(1, max[0])];
    for (int i = 0; i < perf.length; i++) perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
    int[] returned = {0};
    String call = "cudnnFindConvolutionBackwardDataAlgorithm(" + d + ")";
    int type = dataType(g.mode);
    checkCudnn(api.findConvolutionBackwardDataAlgorithm(handle, g.filter, cudnn.tensor(type,
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

  /** The shared workspace, or null (no workspace) before any convolution needed one. */
  private DevicePtr workspacePointer() {
    return workspace == null ? null : Cudnn.ptr(workspace);
  }

  /** Bytes of the shared workspace now (0 before any convolution needed one). */
  synchronized long workspaceBytes() {
    return workspace == null || workspace.isClosed() ? 0 : workspace.bytes();
  }

  @Override
  public synchronized void close() {
    for (Geometry g : geometries.values()) {
      checkCudnn(api.destroyFilterDescriptor(g.filter), "cudnnDestroyFilterDescriptor");
      checkCudnn(api.destroyConvolutionDescriptor(g.conv), "cudnnDestroyConvolutionDescriptor");
    }
    geometries.clear();
    if (workspace != null) workspace.close();  // already freed when the device closes first; close is idempotent
  }
}
