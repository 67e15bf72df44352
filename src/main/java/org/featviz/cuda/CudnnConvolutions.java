package org.featviz.cuda;

import static org.featviz.cuda.CudaStatus.checkCudnn;

import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnTensorFormat;
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
 * GPUs, and the fastest algorithm of any math type is taken. One workspace, shared by every convolution of the
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
    MathMode mode;
  }

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
    ensureWorkspace(Math.max(g.forwardBytes, g.backwardDataBytes));
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

  private Geometry geometry(ConvDescriptor d) {
    MathMode mode = device.mathMode();
    Key key = new Key(d, mode);
    Geometry g = geometries.get(key);
    if (g != null) return g;
    mode.requireImplemented();
    device.bind();
    g = new Geometry();
    int[] w = d.weightDims();
    checkCudnn(JCudnn.cudnnCreateFilterDescriptor(g.filter), "cudnnCreateFilterDescriptor");
    checkCudnn(JCudnn.cudnnSetFilterNdDescriptor(g.filter, cudnnDataType.CUDNN_DATA_FLOAT,
        cudnnTensorFormat.CUDNN_TENSOR_NCHW, w.length, w), "cudnnSetFilterNdDescriptor(" + d + ")");
    checkCudnn(JCudnn.cudnnCreateConvolutionDescriptor(g.conv), "cudnnCreateConvolutionDescriptor");
    checkCudnn(JCudnn.cudnnSetConvolutionNdDescriptor(g.conv, d.pads().length, d.pads(), d.strides(), d.dilations(),
        cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, cudnnDataType.CUDNN_DATA_FLOAT),
        "cudnnSetConvolutionNdDescriptor(" + d + ")");
    checkCudnn(JCudnn.cudnnSetConvolutionGroupCount(g.conv, d.groups()), "cudnnSetConvolutionGroupCount(" + d + ")");
    // FP32: FMA kernels only, no TF32 tensor cores. TF32: cuDNN's default, which allows TF32 tensor ops (Ampere+).
    boolean tf32 = mode == MathMode.TF32;
    checkCudnn(JCudnn.cudnnSetConvolutionMathType(g.conv, tf32 ? cudnnMathType.CUDNN_DEFAULT_MATH
        : cudnnMathType.CUDNN_FMA_MATH), "cudnnSetConvolutionMathType(" + (tf32 ? "DEFAULT" : "FMA") + ")");
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
    checkCudnn(JCudnn.cudnnFindConvolutionForwardAlgorithm(handle, cudnn.tensor(d.inputDims()), g.filter, g.conv,
        cudnn.tensor(d.outputDims()), perf.length, returned, perf), call);
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
    checkCudnn(JCudnn.cudnnFindConvolutionBackwardDataAlgorithm(handle, g.filter, cudnn.tensor(d.outputDims()),
        g.conv, cudnn.tensor(d.inputDims()), perf.length, returned, perf), call);
    for (int i = 0; i < returned[0]; i++) {
      if (perf[i].status == 0 && allowed(g.mode, perf[i].mathType)) {
        g.backwardDataAlgo = perf[i].algo;
        g.backwardDataBytes = perf[i].memory;
        return;
      }
    }
    throw new DeviceException(call + ": none of the " + returned[0] + " algorithms runs in " + g.mode);
  }

  /** Whether an algorithm that reports this math type keeps to the mode (TF32 takes any; FP32 no tensor ops). */
  private static boolean allowed(MathMode mode, int mathType) {
    return mode == MathMode.TF32 || mathType != cudnnMathType.CUDNN_TENSOR_OP_MATH
        && mathType != cudnnMathType.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
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
