package org.featviz.cuda;

import static jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_IDENTITY;
import static jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_RELU;
import static jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_SIGMOID;
import static jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_TANH;
import static jcuda.jcudnn.cudnnDeterminism.CUDNN_DETERMINISTIC;
import static jcuda.jcudnn.cudnnDeterminism.CUDNN_NON_DETERMINISTIC;
import static jcuda.jcudnn.cudnnMathType.CUDNN_DEFAULT_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_FMA_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_TENSOR_OP_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
import static jcuda.jcudnn.cudnnNanPropagation.CUDNN_PROPAGATE_NAN;
import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX;
import static jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX_DETERMINISTIC;
import static jcuda.jcudnn.cudnnStatus.CUDNN_STATUS_BAD_PARAM;
import static jcuda.jcudnn.cudnnStatus.CUDNN_STATUS_NOT_SUPPORTED;
import static jcuda.jcudnn.cudnnStatus.CUDNN_STATUS_SUCCESS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnLRNDescriptor;
import jcuda.jcudnn.cudnnLRNMode;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnSoftmaxAlgorithm;
import jcuda.jcudnn.cudnnSoftmaxMode;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import org.featviz.cuda.FakeMemory.Elements;
import org.featviz.cuda.FakeMemory.Type;

/**
 * cuDNN's documented semantics on host memory, for testing {@link Cudnn} and {@link
 * CudnnConvolutions} without a GPU. Written from the cuDNN API documentation, sharing nothing with
 * featviz's CPU reference:
 *
 * <pre>
 * Tensors: dims and strides as set (element (n, c, h, w) at n s0 + c s1 + h s2 + w s3), 4 or 5 dims for the calls
 *   featviz makes; filters dense K x C/G x spatial, NCHW; FLOAT, HALF or BFLOAT16 (x, w, y of one type, compute
 *   type FLOAT: the PSEUDO_HALF / PSEUDO_BFLOAT16 configurations).
 * Convolution: out = 1 + (in + 2 pad - ((k - 1) dil + 1)) / stride per spatial axis; CUDNN_CROSS_CORRELATION
 *   y[n,k,o] = sum over c of k's group, taps t of w[k, c - group start, t] x[n, c, o stride - pad + t dil]
 *   (CUDNN_CONVOLUTION flips the filter); y = alpha conv + beta y, y not read when beta = 0. Backward data is the
 *   adjoint: dx = alpha conv^T(w, dy) + beta dx. The descriptor's math type when the call runs decides the operand
 *   precision: FMA_MATH exact FP32; DEFAULT_MATH and TENSOR_OP_MATH on FLOAT data TF32 where the GPU has it
 *   ({@link #tf32}); TENSOR_OP_MATH_ALLOW_CONVERSION down-converts FLOAT operands to HALF.
 * Find: the results of {@link #perf} for the direction, geometry and the descriptor's math type, fastest first;
 *   each result's memory is what {@link #workspace} says for its algorithm and math type unless the table says
 *   otherwise. Workspace query: {@link #workspace} for the algorithm and the descriptor's math type. A convolution
 *   given less workspace than that returns CUDNN_STATUS_BAD_PARAM.
 * Fused: y = act(alpha1 conv(x, w) + alpha2 z + bias[k]), activation RELU, or IDENTITY with
 *   CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM only; FLOAT data; {@link #refuseFused} models a cuDNN build
 *   that does not support a geometry.
 * Pooling: out = 1 + (in + 2 pad - window) / stride; MAX (and MAX_DETERMINISTIC) is the largest tap inside the
 *   input (padding never wins), NaN if a tap is NaN under CUDNN_PROPAGATE_NAN, NaN taps skipped otherwise; the
 *   backward routes dy to the first tap in window order that holds the maximum; AVERAGE_COUNT_INCLUDE_PADDING
 *   divides by the window size, _EXCLUDE_PADDING by the taps inside the input.
 * Activation: RELU max(x, 0) (NaN stays NaN under PROPAGATE_NAN), SIGMOID, TANH; backward from x, y and dy.
 * LRN cross-channel: y = x / (k + alpha / n sum of x^2 over channels c - floor((n - 1) / 2) .. c + ceil((n - 1)
 *   / 2))^beta (cuDNN divides alpha by the window width); 1 <= n <= 16, k >= 1e-5, beta >= 0.01.
 * Softmax ACCURATE, CHANNEL mode: over C for each (n, spatial position), the maximum subtracted first.
 * AddTensor: C = alpha A + beta C, A broadcast along its axes of size 1.
 * </pre>
 *
 * Every operation blends out = alpha op + beta out, the old out not read at beta = 0. Statuses are
 * cuDNN 8's numbers (what JCudnn 11.7 names). Convolution runs, Find and workspace queries are
 * logged ({@link #runs}, {@link #queries}); a read or write outside a buffer throws {@link
 * FakeMemory.Fault}.
 */
final class FakeCudnn implements CudnnApi {
  /** A convolution direction, with the number of algorithms cuDNN has for it. */
  enum Direction {
    FORWARD(cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_COUNT),
    BACKWARD_DATA(jcuda.jcudnn.cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT);

    final int algorithms;

    Direction(int algorithms) {
      this.algorithms = algorithms;
    }

    boolean hasAlgorithm(int algo) {
      return algo >= 0 && algo < algorithms;
    }
  }

  /**
   * One result a Find reports; memory -1 means "what {@link #workspace} says for this algorithm and
   * math type".
   */
  record Perf(int algo, int status, float time, int determinism, int mathType, long memory) {
    static Perf of(int algo, float time, int determinism, int mathType) {
      return new Perf(algo, CUDNN_STATUS_SUCCESS, time, determinism, mathType, -1);
    }
  }

  /**
   * A convolution as the descriptors describe it, spatial axes padded to three (a 2-D one has D =
   * 1).
   */
  record Geometry(
      Type type,
      int rank,
      int n,
      int c,
      int k,
      int groups,
      int[] in,
      int[] kernel,
      int[] pads,
      int[] strides,
      int[] dilations,
      int[] out,
      boolean flip) {
    long outputCount() {
      return (long) n * k * out[0] * out[1] * out[2];
    }
  }

  /** The results Find reports, fastest first. */
  interface PerfTable {
    List<Perf> results(Direction direction, int descriptorMathType, Geometry g);
  }

  /**
   * Workspace bytes an algorithm needs in a math type, or -1 where it does not run the geometry.
   */
  interface WorkspaceRule {
    long bytes(Direction direction, int algo, int mathType, Geometry g);
  }

  /**
   * One convolution call as it ran: the algorithm, the descriptor's math type then, the workspace
   * it was given.
   */
  record Run(String call, int algo, int mathType, long workspaceBytes) {}

  /** What FP32 operands become where the math type allows TF32. */
  FakeTf32 tf32 = FakeTf32.ROUND;

  PerfTable perf = FakeCudnn::defaultPerf;
  WorkspaceRule workspace = FakeCudnn::defaultWorkspace;
  Predicate<Geometry> refuseFused = g -> false;
  final List<Run> runs = new ArrayList<>();
  final List<String> queries = new ArrayList<>();

  private static final class TensorState {
    boolean set;
    Type type;
    int[] dims;
    int[] strides;
  }

  private static final class FilterState {
    boolean set;
    Type type;
    int[] dims;
  }

  private static final class ConvState {
    boolean set;
    int[] pads;
    int[] strides;
    int[] dilations;
    int mode;
    int groups = 1;
    int mathType = CUDNN_DEFAULT_MATH;
  }

  private static final class PoolState {
    boolean set;
    int mode;
    int nan;
    int[] window;
    int[] pads;
    int[] strides;

    boolean max() {
      return mode == CUDNN_POOLING_MAX || mode == CUDNN_POOLING_MAX_DETERMINISTIC;
    }

    /**
     * What an average window of these taps divides by: the whole window where padding counts, else
     * the taps.
     */
    int divisor(int[] taps) {
      if (mode != CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING) return taps.length;
      int size = 1;
      for (int w : window) size *= w;
      return size;
    }
  }

  private static final class ActState {
    boolean set;
    int mode;
    int nan;

    /** The modes featviz uses and the fake computes (identity and the others it does not). */
    boolean modelled() {
      return mode == CUDNN_ACTIVATION_RELU
          || mode == CUDNN_ACTIVATION_SIGMOID
          || mode == CUDNN_ACTIVATION_TANH;
    }
  }

  private static final class LrnState {
    boolean set;
    int n;
    double alpha;
    double beta;
    double k;
  }

  private final Map<cudnnHandle, Boolean> handles = new IdentityHashMap<>();
  private final Map<Object, Object> descriptors = new IdentityHashMap<>();

  // ---- Handles and descriptors
  // -------------------------------------------------------------------------------------

  @Override
  public void bind() {}

  @Override
  public synchronized int create(cudnnHandle handle) {
    handles.put(handle, Boolean.FALSE);
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public synchronized int destroy(cudnnHandle handle) {
    return handles.remove(handle) == null ? CUDNN_STATUS_BAD_PARAM : CUDNN_STATUS_SUCCESS;
  }

  @Override
  public synchronized int setStream(cudnnHandle handle) {
    if (!handles.containsKey(handle)) return CUDNN_STATUS_BAD_PARAM;
    handles.put(handle, Boolean.TRUE);
    return CUDNN_STATUS_SUCCESS;
  }

  /** Whether every live handle was bound to the device's stream. */
  synchronized boolean allOnTheDeviceStream() {
    return handles.values().stream().allMatch(b -> b);
  }

  /** Descriptors created and not yet destroyed. */
  synchronized int liveDescriptors() {
    return descriptors.size();
  }

  private synchronized int createDescriptor(Object desc, Object state) {
    descriptors.put(desc, state);
    return CUDNN_STATUS_SUCCESS;
  }

  private synchronized int destroyDescriptor(Object desc) {
    return descriptors.remove(desc) == null ? CUDNN_STATUS_BAD_PARAM : CUDNN_STATUS_SUCCESS;
  }

  @SuppressWarnings("unchecked")
  private synchronized <T> T state(Object desc, Class<T> kind) {
    Object s = descriptors.get(desc);
    return kind.isInstance(s) ? (T) s : null;
  }

  private synchronized boolean known(cudnnHandle handle) {
    return handles.containsKey(handle);
  }

  @Override
  public int createTensorDescriptor(cudnnTensorDescriptor desc) {
    return createDescriptor(desc, new TensorState());
  }

  @Override
  public int setTensorNdDescriptor(
      cudnnTensorDescriptor desc, int dataType, int nbDims, int[] dims, int[] strides) {
    TensorState t = state(desc, TensorState.class);
    if (t == null
        || Type.ofCudnn(dataType) == null
        || nbDims < 3
        || nbDims > 8
        || dims.length < nbDims
        || strides.length < nbDims) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    for (int i = 0; i < nbDims; i++)
      if (dims[i] < 1 || strides[i] < 1) return CUDNN_STATUS_BAD_PARAM;
    t.type = Type.ofCudnn(dataType);
    t.dims = Arrays.copyOf(dims, nbDims);
    t.strides = Arrays.copyOf(strides, nbDims);
    t.set = true;
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int destroyTensorDescriptor(cudnnTensorDescriptor desc) {
    return destroyDescriptor(desc);
  }

  @Override
  public int createFilterDescriptor(cudnnFilterDescriptor desc) {
    return createDescriptor(desc, new FilterState());
  }

  @Override
  public int setFilterNdDescriptor(
      cudnnFilterDescriptor desc, int dataType, int format, int nbDims, int[] dims) {
    FilterState f = state(desc, FilterState.class);
    if (f == null
        || Type.ofCudnn(dataType) == null
        || nbDims < 3
        || nbDims > 8
        || dims.length < nbDims) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    if (format != cudnnTensorFormat.CUDNN_TENSOR_NCHW)
      return CUDNN_STATUS_NOT_SUPPORTED; // featviz's only layout
    for (int i = 0; i < nbDims; i++) if (dims[i] < 1) return CUDNN_STATUS_BAD_PARAM;
    f.type = Type.ofCudnn(dataType);
    f.dims = Arrays.copyOf(dims, nbDims);
    f.set = true;
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int destroyFilterDescriptor(cudnnFilterDescriptor desc) {
    return destroyDescriptor(desc);
  }

  @Override
  public int createConvolutionDescriptor(cudnnConvolutionDescriptor desc) {
    return createDescriptor(desc, new ConvState());
  }

  @Override
  public int setConvolutionNdDescriptor(
      cudnnConvolutionDescriptor desc,
      int arrayLength,
      int[] pads,
      int[] strides,
      int[] dilations,
      int mode,
      int computeType) {
    ConvState c = state(desc, ConvState.class);
    if (c == null
        || arrayLength < 1
        || arrayLength > 3
        || pads.length < arrayLength
        || strides.length < arrayLength
        || dilations.length < arrayLength) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    if (mode != cudnnConvolutionMode.CUDNN_CONVOLUTION
        && mode != cudnnConvolutionMode.CUDNN_CROSS_CORRELATION) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    for (int i = 0; i < arrayLength; i++) {
      if (pads[i] < 0 || strides[i] < 1 || dilations[i] < 1) return CUDNN_STATUS_BAD_PARAM;
    }
    if (computeType != cudnnDataType.CUDNN_DATA_FLOAT)
      return CUDNN_STATUS_NOT_SUPPORTED; // featviz computes in FP32
    c.pads = Arrays.copyOf(pads, arrayLength);
    c.strides = Arrays.copyOf(strides, arrayLength);
    c.dilations = Arrays.copyOf(dilations, arrayLength);
    c.mode = mode;
    c.set = true;
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int setConvolutionGroupCount(cudnnConvolutionDescriptor desc, int groups) {
    ConvState c = state(desc, ConvState.class);
    if (c == null || groups < 1) return CUDNN_STATUS_BAD_PARAM;
    c.groups = groups;
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int setConvolutionMathType(cudnnConvolutionDescriptor desc, int mathType) {
    ConvState c = state(desc, ConvState.class);
    if (c == null || mathType < CUDNN_DEFAULT_MATH || mathType > CUDNN_FMA_MATH)
      return CUDNN_STATUS_BAD_PARAM;
    c.mathType = mathType;
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int destroyConvolutionDescriptor(cudnnConvolutionDescriptor desc) {
    return destroyDescriptor(desc);
  }

  /** The math type a convolution descriptor holds now (for tests). */
  int mathType(cudnnConvolutionDescriptor desc) {
    return state(desc, ConvState.class).mathType;
  }

  // ---- Convolutions
  // ------------------------------------------------------------------------------------------------

  /**
   * The geometry of x (or dx), w, conv and y (or dy), or null where they do not describe one
   * convolution.
   */
  private Geometry geometry(
      cudnnTensorDescriptor xDesc,
      cudnnFilterDescriptor wDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor yDesc) {
    TensorState x = state(xDesc, TensorState.class);
    TensorState y = state(yDesc, TensorState.class);
    FilterState w = state(wDesc, FilterState.class);
    ConvState c = state(convDesc, ConvState.class);
    if (x == null || y == null || w == null || c == null || !x.set || !y.set || !w.set || !c.set)
      return null;
    int nb = x.dims.length;
    if ((nb != 4 && nb != 5)
        || y.dims.length != nb
        || w.dims.length != nb
        || c.pads.length != nb - 2) return null;
    if (x.type != y.type || x.type != w.type) return null;
    int groups = c.groups;
    int cIn = x.dims[1];
    int k = w.dims[0];
    if (w.dims[1] * groups != cIn || k % groups != 0 || y.dims[0] != x.dims[0] || y.dims[1] != k)
      return null;
    int[] in = FakeCudnnMath.pad3(Arrays.copyOfRange(x.dims, 2, nb), 1);
    int[] kernel = FakeCudnnMath.pad3(Arrays.copyOfRange(w.dims, 2, nb), 1);
    int[] pads = FakeCudnnMath.pad3(c.pads, 0);
    int[] strides = FakeCudnnMath.pad3(c.strides, 1);
    int[] dilations = FakeCudnnMath.pad3(c.dilations, 1);
    int[] out = FakeCudnnMath.outputDims(in, kernel, pads, strides, dilations);
    if (out == null
        || !Arrays.equals(out, FakeCudnnMath.pad3(Arrays.copyOfRange(y.dims, 2, nb), 1)))
      return null;
    return new Geometry(
        x.type,
        nb - 2,
        x.dims[0],
        cIn,
        k,
        groups,
        in,
        kernel,
        pads,
        strides,
        dilations,
        out,
        c.mode == cudnnConvolutionMode.CUDNN_CONVOLUTION);
  }

  @Override
  public int getConvolutionForwardAlgorithmMaxCount(cudnnHandle handle, int[] count) {
    if (!known(handle)) return CUDNN_STATUS_BAD_PARAM;
    count[0] = Direction.FORWARD.algorithms;
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int getConvolutionBackwardDataAlgorithmMaxCount(cudnnHandle handle, int[] count) {
    if (!known(handle)) return CUDNN_STATUS_BAD_PARAM;
    count[0] = Direction.BACKWARD_DATA.algorithms;
    return CUDNN_STATUS_SUCCESS;
  }

  /** The results of one Find, with memory filled in, as many as requested. */
  private List<Perf> find(
      Direction direction, Geometry g, cudnnConvolutionDescriptor convDesc, int requested) {
    int descriptorMath = state(convDesc, ConvState.class).mathType;
    List<Perf> found = new ArrayList<>();
    for (Perf p : perf.results(direction, descriptorMath, g)) {
      if (found.size() == requested) break;
      long memory =
          p.memory() >= 0
              ? p.memory()
              : Math.max(0, workspace.bytes(direction, p.algo(), p.mathType(), g));
      found.add(new Perf(p.algo(), p.status(), p.time(), p.determinism(), p.mathType(), memory));
    }
    synchronized (this) {
      queries.add("find " + direction + " under math type " + descriptorMath + ": " + found);
    }
    return found;
  }

  /**
   * A cudnnFind* call: the results of {@link #find} written into the caller's perf structs, whose
   * fields both directions' JCudnn classes (cudnnConvolutionFwdAlgoPerf,
   * cudnnConvolutionBwdDataAlgoPerf) name alike without a common type.
   */
  private int findInto(
      cudnnHandle handle,
      Direction direction,
      Geometry g,
      cudnnConvolutionDescriptor convDesc,
      int requested,
      int[] returned,
      Object[] results) {
    if (!known(handle) || g == null || requested < 1 || results.length < requested)
      return CUDNN_STATUS_BAD_PARAM;
    List<Perf> found = find(direction, g, convDesc, requested);
    try {
      for (int i = 0; i < found.size(); i++) {
        Perf p = found.get(i);
        Class<?> struct = results[i].getClass();
        struct.getField("algo").setInt(results[i], p.algo());
        struct.getField("status").setInt(results[i], p.status());
        struct.getField("time").setFloat(results[i], p.time());
        struct.getField("memory").setLong(results[i], p.memory());
        struct.getField("determinism").setInt(results[i], p.determinism());
        struct.getField("mathType").setInt(results[i], p.mathType());
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "a JCudnn perf struct without the fields of cudnnConvolution*AlgoPerf", e);
    }
    returned[0] = found.size();
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int findConvolutionForwardAlgorithm(
      cudnnHandle handle,
      cudnnTensorDescriptor xDesc,
      cudnnFilterDescriptor wDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor yDesc,
      int requested,
      int[] returned,
      cudnnConvolutionFwdAlgoPerf[] results) {
    return findInto(
        handle,
        Direction.FORWARD,
        geometry(xDesc, wDesc, convDesc, yDesc),
        convDesc,
        requested,
        returned,
        results);
  }

  @Override
  public int findConvolutionBackwardDataAlgorithm(
      cudnnHandle handle,
      cudnnFilterDescriptor wDesc,
      cudnnTensorDescriptor dyDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor dxDesc,
      int requested,
      int[] returned,
      cudnnConvolutionBwdDataAlgoPerf[] results) {
    return findInto(
        handle,
        Direction.BACKWARD_DATA,
        geometry(dxDesc, wDesc, convDesc, dyDesc),
        convDesc,
        requested,
        returned,
        results);
  }

  private int workspaceQuery(
      Direction direction,
      Geometry g,
      cudnnConvolutionDescriptor convDesc,
      int algo,
      long[] bytes) {
    int math = state(convDesc, ConvState.class).mathType;
    long need = workspace.bytes(direction, algo, math, g);
    synchronized (this) {
      queries.add("workspace " + direction + " algo " + algo + " math type " + math + ": " + need);
    }
    if (need < 0) return CUDNN_STATUS_NOT_SUPPORTED;
    bytes[0] = need;
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int getConvolutionForwardWorkspaceSize(
      cudnnHandle handle,
      cudnnTensorDescriptor xDesc,
      cudnnFilterDescriptor wDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor yDesc,
      int algo,
      long[] bytes) {
    Geometry g = geometry(xDesc, wDesc, convDesc, yDesc);
    if (!known(handle) || g == null || !Direction.FORWARD.hasAlgorithm(algo))
      return CUDNN_STATUS_BAD_PARAM;
    return workspaceQuery(Direction.FORWARD, g, convDesc, algo, bytes);
  }

  @Override
  public int getConvolutionBackwardDataWorkspaceSize(
      cudnnHandle handle,
      cudnnFilterDescriptor wDesc,
      cudnnTensorDescriptor dyDesc,
      cudnnConvolutionDescriptor convDesc,
      cudnnTensorDescriptor dxDesc,
      int algo,
      long[] bytes) {
    Geometry g = geometry(dxDesc, wDesc, convDesc, dyDesc);
    if (!known(handle) || g == null || !Direction.BACKWARD_DATA.hasAlgorithm(algo))
      return CUDNN_STATUS_BAD_PARAM;
    return workspaceQuery(Direction.BACKWARD_DATA, g, convDesc, algo, bytes);
  }

  /** The status of running algo with this workspace (and logs the run where it may go ahead). */
  private int admit(
      String call,
      Direction direction,
      Geometry g,
      cudnnConvolutionDescriptor convDesc,
      int algo,
      DevicePtr workspacePtr,
      long workspaceBytes) {
    int math = state(convDesc, ConvState.class).mathType;
    long need = workspace.bytes(direction, algo, math, g);
    if (need < 0) return CUDNN_STATUS_NOT_SUPPORTED;
    if (workspaceBytes < need || (workspaceBytes > 0 && workspacePtr == null))
      return CUDNN_STATUS_BAD_PARAM;
    if (workspaceBytes > 0)
      FakeMemory.elements(call + " workspace", workspacePtr, Type.F32, workspaceBytes / 4);
    synchronized (this) {
      runs.add(new Run(call, algo, math, workspaceBytes));
    }
    return CUDNN_STATUS_SUCCESS;
  }

  /** What operands of this type become under this math type when the call runs. */
  private Rounding operands(Type type, int mathType) {
    if (type != Type.F32 || mathType == CUDNN_FMA_MATH) return v -> v;
    if (mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) {
      return v -> FakeMemory.halfToFloat(FakeMemory.floatToHalf(v)); // FLOAT down-converted to HALF
    }
    FakeTf32 t = tf32;
    return t::apply;
  }

  private interface Rounding {
    float apply(float v);
  }

  @Override
  public int convolutionForward(
      cudnnHandle handle,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      cudnnFilterDescriptor wDesc,
      DevicePtr w,
      cudnnConvolutionDescriptor convDesc,
      int algo,
      DevicePtr workspacePtr,
      long workspaceBytes,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y) {
    Geometry g = geometry(xDesc, wDesc, convDesc, yDesc);
    if (!known(handle) || g == null || !Direction.FORWARD.hasAlgorithm(algo))
      return CUDNN_STATUS_BAD_PARAM;
    String call = "cudnnConvolutionForward";
    int status = admit(call, Direction.FORWARD, g, convDesc, algo, workspacePtr, workspaceBytes);
    if (status != CUDNN_STATUS_SUCCESS) return status;
    Rounding r = operands(g.type(), state(convDesc, ConvState.class).mathType);
    double[] acc =
        FakeCudnnMath.convolve(g, read(call + " x", xDesc, x, r), filter(call + " w", wDesc, w, r));
    blend(call + " y", yDesc, y, acc, alpha, beta);
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int convolutionBackwardData(
      cudnnHandle handle,
      float alpha,
      cudnnFilterDescriptor wDesc,
      DevicePtr w,
      cudnnTensorDescriptor dyDesc,
      DevicePtr dy,
      cudnnConvolutionDescriptor convDesc,
      int algo,
      DevicePtr workspacePtr,
      long workspaceBytes,
      float beta,
      cudnnTensorDescriptor dxDesc,
      DevicePtr dx) {
    Geometry g = geometry(dxDesc, wDesc, convDesc, dyDesc);
    if (!known(handle) || g == null || !Direction.BACKWARD_DATA.hasAlgorithm(algo))
      return CUDNN_STATUS_BAD_PARAM;
    String call = "cudnnConvolutionBackwardData";
    int status =
        admit(call, Direction.BACKWARD_DATA, g, convDesc, algo, workspacePtr, workspaceBytes);
    if (status != CUDNN_STATUS_SUCCESS) return status;
    Rounding r = operands(g.type(), state(convDesc, ConvState.class).mathType);
    double[] acc =
        FakeCudnnMath.convolveTransposed(
            g, read(call + " dy", dyDesc, dy, r), filter(call + " w", wDesc, w, r));
    blend(call + " dx", dxDesc, dx, acc, alpha, beta);
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int convolutionBiasActivationForward(
      cudnnHandle handle,
      float alpha1,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      cudnnFilterDescriptor wDesc,
      DevicePtr w,
      cudnnConvolutionDescriptor convDesc,
      int algo,
      DevicePtr workspacePtr,
      long workspaceBytes,
      float alpha2,
      cudnnTensorDescriptor zDesc,
      DevicePtr z,
      cudnnTensorDescriptor biasDesc,
      DevicePtr bias,
      cudnnActivationDescriptor activationDesc,
      cudnnTensorDescriptor yDesc,
      DevicePtr y) {
    Geometry g = geometry(xDesc, wDesc, convDesc, yDesc);
    ActState act = state(activationDesc, ActState.class);
    TensorState zt = state(zDesc, TensorState.class);
    TensorState bt = state(biasDesc, TensorState.class);
    TensorState yt = state(yDesc, TensorState.class);
    if (!known(handle)
        || g == null
        || act == null
        || !act.set
        || zt == null
        || !zt.set
        || bt == null
        || !bt.set
        || !Direction.FORWARD.hasAlgorithm(algo)) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    if (!Arrays.equals(zt.dims, yt.dims)
        || bt.dims.length != yt.dims.length
        || bt.dims[1] != g.k()) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    for (int i = 0; i < bt.dims.length; i++)
      if (i != 1 && bt.dims[i] != 1) return CUDNN_STATUS_BAD_PARAM;
    if (act.mode != CUDNN_ACTIVATION_RELU && act.mode != CUDNN_ACTIVATION_IDENTITY)
      return CUDNN_STATUS_NOT_SUPPORTED;
    if (act.mode == CUDNN_ACTIVATION_IDENTITY
        && algo != cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM) {
      return CUDNN_STATUS_NOT_SUPPORTED; // the documented restriction: identity with
      // IMPLICIT_PRECOMP_GEMM only
    }
    if (g.type() != Type.F32 || refuseFused.test(g)) return CUDNN_STATUS_NOT_SUPPORTED;
    String call = "cudnnConvolutionBiasActivationForward";
    int status = admit(call, Direction.FORWARD, g, convDesc, algo, workspacePtr, workspaceBytes);
    if (status != CUDNN_STATUS_SUCCESS) return status;
    Rounding r = operands(g.type(), state(convDesc, ConvState.class).mathType);
    double[] acc =
        FakeCudnnMath.convolve(g, read(call + " x", xDesc, x, r), filter(call + " w", wDesc, w, r));
    View zv = alpha2 == 0 ? null : view(call + " z", zt, z);
    View bv = view(call + " bias", bt, bias);
    View yv = view(call + " y", yt, y);
    int plane = g.out()[0] * g.out()[1] * g.out()[2];
    for (int i = 0; i < acc.length; i++) {
      int n = i / (g.k() * plane);
      int k = (i / plane) % g.k();
      int o = i % plane;
      double v =
          alpha1 * acc[i] + (zv == null ? 0 : (double) alpha2 * zv.at(n, k, o)) + bv.at(0, k, 0);
      float f = (float) v;
      if (act.mode == CUDNN_ACTIVATION_RELU)
        f = FakeCudnnMath.relu(f, act.nan == CUDNN_PROPAGATE_NAN);
      yv.set(n, k, o, f);
    }
    return CUDNN_STATUS_SUCCESS;
  }

  /** A dense copy of a tensor as floats, rounded as the math type asks. */
  private float[] read(String what, cudnnTensorDescriptor desc, DevicePtr p, Rounding r) {
    View v = view(what, state(desc, TensorState.class), p);
    float[] out = new float[(int) v.count()];
    for (int i = 0; i < out.length; i++) out[i] = r.apply(v.linear(i));
    return out;
  }

  /** The dense filter K x C/G x spatial as floats, rounded as the math type asks. */
  private float[] filter(String what, cudnnFilterDescriptor desc, DevicePtr p, Rounding r) {
    FilterState f = state(desc, FilterState.class);
    long count = 1;
    for (int d : f.dims) count *= d;
    Elements e = FakeMemory.elements(what, p, f.type, count);
    float[] out = new float[(int) count];
    for (int i = 0; i < out.length; i++) out[i] = r.apply(e.get(i));
    return out;
  }

  /** out = alpha acc + beta out (out not read at beta = 0), acc dense over out's dims. */
  private void blend(
      String what, cudnnTensorDescriptor desc, DevicePtr p, double[] acc, float alpha, float beta) {
    View v = view(what, state(desc, TensorState.class), p);
    for (int i = 0; i < acc.length; i++) {
      double prior = beta == 0 ? 0 : (double) beta * v.linear(i);
      v.setLinear(i, (float) (alpha * acc[i] + prior));
    }
  }

  @Override
  public int addTensor(
      cudnnHandle handle,
      float alpha,
      cudnnTensorDescriptor aDesc,
      DevicePtr a,
      float beta,
      cudnnTensorDescriptor cDesc,
      DevicePtr c) {
    TensorState at = state(aDesc, TensorState.class);
    TensorState ct = state(cDesc, TensorState.class);
    if (!known(handle)
        || at == null
        || ct == null
        || !at.set
        || !ct.set
        || at.dims.length != ct.dims.length
        || at.type != ct.type) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    for (int i = 0; i < at.dims.length; i++) {
      if (at.dims[i] != ct.dims[i] && at.dims[i] != 1) return CUDNN_STATUS_BAD_PARAM;
    }
    View av = view("cudnnAddTensor A", at, a);
    View cv = view("cudnnAddTensor C", ct, c);
    int[] idx = new int[ct.dims.length];
    for (long i = 0; i < cv.count(); i++) {
      long rest = i;
      for (int d = idx.length - 1; d >= 0; d--) {
        idx[d] = (int) (rest % ct.dims[d]);
        rest /= ct.dims[d];
      }
      long aAt = 0;
      for (int d = 0; d < idx.length; d++)
        aAt += (long) (at.dims[d] == 1 ? 0 : idx[d]) * at.strides[d];
      double prior = beta == 0 ? 0 : (double) beta * cv.linear(i);
      cv.setLinear(i, (float) (alpha * av.raw(aAt) + prior));
    }
    return CUDNN_STATUS_SUCCESS;
  }

  // ---- Pooling
  // -----------------------------------------------------------------------------------------------------

  @Override
  public int createPoolingDescriptor(cudnnPoolingDescriptor desc) {
    return createDescriptor(desc, new PoolState());
  }

  @Override
  public int setPoolingNdDescriptor(
      cudnnPoolingDescriptor desc,
      int mode,
      int nanPropagation,
      int nbDims,
      int[] window,
      int[] pads,
      int[] strides) {
    PoolState p = state(desc, PoolState.class);
    if (p == null
        || nbDims < 1
        || nbDims > 3
        || window.length < nbDims
        || pads.length < nbDims
        || strides.length < nbDims) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    if (mode < CUDNN_POOLING_MAX || mode > CUDNN_POOLING_MAX_DETERMINISTIC)
      return CUDNN_STATUS_BAD_PARAM;
    for (int i = 0; i < nbDims; i++) {
      if (window[i] < 1 || pads[i] < 0 || strides[i] < 1) return CUDNN_STATUS_BAD_PARAM;
    }
    p.mode = mode;
    p.nan = nanPropagation;
    p.window = Arrays.copyOf(window, nbDims);
    p.pads = Arrays.copyOf(pads, nbDims);
    p.strides = Arrays.copyOf(strides, nbDims);
    p.set = true;
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int destroyPoolingDescriptor(cudnnPoolingDescriptor desc) {
    return destroyDescriptor(desc);
  }

  /** The pooling mode a descriptor holds now (for tests). */
  int poolingMode(cudnnPoolingDescriptor desc) {
    return state(desc, PoolState.class).mode;
  }

  /**
   * in and out spatial dims (padded to 3) of a pooling, or null where x, y and the descriptor
   * disagree.
   */
  private int[][] poolShape(PoolState p, TensorState x, TensorState y) {
    if (p == null || !p.set || x == null || y == null || !x.set || !y.set) return null;
    int nb = x.dims.length;
    if (y.dims.length != nb
        || p.window.length != nb - 2
        || x.dims[0] != y.dims[0]
        || x.dims[1] != y.dims[1]) {
      return null;
    }
    int[] in = FakeCudnnMath.pad3(Arrays.copyOfRange(x.dims, 2, nb), 1);
    int[] win = FakeCudnnMath.pad3(p.window, 1);
    int[] pad = FakeCudnnMath.pad3(p.pads, 0);
    int[] str = FakeCudnnMath.pad3(p.strides, 1);
    int[] out = FakeCudnnMath.outputDims(in, win, pad, str, new int[] {1, 1, 1});
    if (out == null
        || !Arrays.equals(out, FakeCudnnMath.pad3(Arrays.copyOfRange(y.dims, 2, nb), 1)))
      return null;
    return new int[][] {in, out};
  }

  @Override
  public int poolingForward(
      cudnnHandle handle,
      cudnnPoolingDescriptor poolDesc,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y) {
    PoolState p = state(poolDesc, PoolState.class);
    int[][] shape = poolShape(p, state(xDesc, TensorState.class), state(yDesc, TensorState.class));
    if (!known(handle) || shape == null) return CUDNN_STATUS_BAD_PARAM;
    float[] xs = read("cudnnPoolingForward x", xDesc, x, v -> v);
    int[][] taps = FakeCudnnMath.windows(p.window, p.pads, p.strides, shape[0], shape[1]);
    int inPlane = shape[0][0] * shape[0][1] * shape[0][2];
    int planes = xs.length / inPlane;
    double[] acc = new double[planes * taps.length];
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inPlane;
      for (int o = 0; o < taps.length; o++) {
        double v;
        if (p.max()) {
          int arg = FakeCudnnMath.argmax(xs, base, taps[o], p.nan == CUDNN_PROPAGATE_NAN);
          v = arg < 0 ? Double.NaN : xs[base + arg];
        } else {
          double s = 0;
          for (int t : taps[o]) s += xs[base + t];
          v = s / p.divisor(taps[o]);
        }
        acc[plane * taps.length + o] = v;
      }
    }
    blend("cudnnPoolingForward y", yDesc, y, acc, alpha, beta);
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int poolingBackward(
      cudnnHandle handle,
      cudnnPoolingDescriptor poolDesc,
      float alpha,
      cudnnTensorDescriptor yDesc,
      DevicePtr y,
      cudnnTensorDescriptor dyDesc,
      DevicePtr dy,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor dxDesc,
      DevicePtr dx) {
    PoolState p = state(poolDesc, PoolState.class);
    int[][] shape = poolShape(p, state(xDesc, TensorState.class), state(yDesc, TensorState.class));
    if (!known(handle)
        || shape == null
        || poolShape(p, state(dxDesc, TensorState.class), state(dyDesc, TensorState.class))
            == null) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    float[] xs = read("cudnnPoolingBackward x", xDesc, x, v -> v);
    float[] dys = read("cudnnPoolingBackward dy", dyDesc, dy, v -> v);
    read(
        "cudnnPoolingBackward y",
        yDesc,
        y,
        v -> v); // y is an input of the call: it must be readable
    int[][] taps = FakeCudnnMath.windows(p.window, p.pads, p.strides, shape[0], shape[1]);
    int inPlane = shape[0][0] * shape[0][1] * shape[0][2];
    int planes = xs.length / inPlane;
    double[] acc = new double[xs.length];
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inPlane;
      for (int o = 0; o < taps.length; o++) {
        double d = dys[plane * taps.length + o];
        if (p.max()) {
          int arg = FakeCudnnMath.argmax(xs, base, taps[o], p.nan == CUDNN_PROPAGATE_NAN);
          if (arg >= 0) acc[base + arg] += d;
        } else {
          double share = d / p.divisor(taps[o]);
          for (int t : taps[o]) acc[base + t] += share;
        }
      }
    }
    blend("cudnnPoolingBackward dx", dxDesc, dx, acc, alpha, beta);
    return CUDNN_STATUS_SUCCESS;
  }

  // ---- Activations
  // -------------------------------------------------------------------------------------------------

  @Override
  public int createActivationDescriptor(cudnnActivationDescriptor desc) {
    return createDescriptor(desc, new ActState());
  }

  @Override
  public int setActivationDescriptor(
      cudnnActivationDescriptor desc, int mode, int nanPropagation, double coef) {
    ActState a = state(desc, ActState.class);
    if (a == null
        || mode < CUDNN_ACTIVATION_SIGMOID
        || mode > jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_SWISH) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    a.mode = mode;
    a.nan = nanPropagation;
    a.set = true;
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int destroyActivationDescriptor(cudnnActivationDescriptor desc) {
    return destroyDescriptor(desc);
  }

  /** Tensors of one shape and type, or false. */
  private boolean sameShapes(cudnnTensorDescriptor... descs) {
    TensorState first = state(descs[0], TensorState.class);
    if (first == null || !first.set) return false;
    for (cudnnTensorDescriptor d : descs) {
      TensorState t = state(d, TensorState.class);
      if (t == null || !t.set || !Arrays.equals(t.dims, first.dims) || t.type != first.type)
        return false;
    }
    return true;
  }

  @Override
  public int activationForward(
      cudnnHandle handle,
      cudnnActivationDescriptor activationDesc,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y) {
    ActState a = state(activationDesc, ActState.class);
    if (!known(handle) || a == null || !a.set || !sameShapes(xDesc, yDesc) || !a.modelled()) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    float[] xs = read("cudnnActivationForward x", xDesc, x, v -> v);
    double[] acc = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      float v = xs[i];
      acc[i] =
          switch (a.mode) {
            case CUDNN_ACTIVATION_RELU -> FakeCudnnMath.relu(v, a.nan == CUDNN_PROPAGATE_NAN);
            case CUDNN_ACTIVATION_SIGMOID -> 1 / (1 + Math.exp(-v));
            default -> Math.tanh(v);
          };
    }
    blend("cudnnActivationForward y", yDesc, y, acc, alpha, beta);
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int activationBackward(
      cudnnHandle handle,
      cudnnActivationDescriptor activationDesc,
      float alpha,
      cudnnTensorDescriptor yDesc,
      DevicePtr y,
      cudnnTensorDescriptor dyDesc,
      DevicePtr dy,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor dxDesc,
      DevicePtr dx) {
    ActState a = state(activationDesc, ActState.class);
    if (!known(handle)
        || a == null
        || !a.set
        || !sameShapes(yDesc, dyDesc, xDesc, dxDesc)
        || !a.modelled()) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    float[] xs = read("cudnnActivationBackward x", xDesc, x, v -> v);
    float[] ys = read("cudnnActivationBackward y", yDesc, y, v -> v);
    float[] dys = read("cudnnActivationBackward dy", dyDesc, dy, v -> v);
    double[] acc = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      double slope =
          switch (a.mode) {
            case CUDNN_ACTIVATION_RELU -> xs[i] > 0 ? 1 : 0;
            case CUDNN_ACTIVATION_SIGMOID -> (double) ys[i] * (1 - ys[i]);
            default -> 1 - (double) ys[i] * ys[i];
          };
      acc[i] = slope * dys[i];
    }
    blend("cudnnActivationBackward dx", dxDesc, dx, acc, alpha, beta);
    return CUDNN_STATUS_SUCCESS;
  }

  // ---- LRN and softmax
  // ---------------------------------------------------------------------------------------------

  @Override
  public int createLRNDescriptor(cudnnLRNDescriptor desc) {
    return createDescriptor(desc, new LrnState());
  }

  @Override
  public int setLRNDescriptor(cudnnLRNDescriptor desc, int n, double alpha, double beta, double k) {
    LrnState l = state(desc, LrnState.class);
    if (l == null || n < 1 || n > 16 || k < 1e-5 || beta < 0.01) return CUDNN_STATUS_BAD_PARAM;
    l.n = n;
    l.alpha = alpha;
    l.beta = beta;
    l.k = k;
    l.set = true;
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int destroyLRNDescriptor(cudnnLRNDescriptor desc) {
    return destroyDescriptor(desc);
  }

  @Override
  public int lrnCrossChannelForward(
      cudnnHandle handle,
      cudnnLRNDescriptor lrnDesc,
      int mode,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y) {
    LrnState l = state(lrnDesc, LrnState.class);
    if (!known(handle)
        || l == null
        || !l.set
        || mode != cudnnLRNMode.CUDNN_LRN_CROSS_CHANNEL_DIM1
        || !sameShapes(xDesc, yDesc)) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    int[] dims = state(xDesc, TensorState.class).dims;
    float[] xs = read("cudnnLRNCrossChannelForward x", xDesc, x, v -> v);
    int rest = xs.length / (dims[0] * dims[1]);
    double[] s = FakeCudnnMath.lrnScale(l.n, l.alpha, l.k, xs, dims[0], dims[1], rest);
    double[] acc = new double[xs.length];
    for (int i = 0; i < xs.length; i++) acc[i] = xs[i] * Math.pow(s[i], -l.beta);
    blend("cudnnLRNCrossChannelForward y", yDesc, y, acc, alpha, beta);
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int lrnCrossChannelBackward(
      cudnnHandle handle,
      cudnnLRNDescriptor lrnDesc,
      int mode,
      float alpha,
      cudnnTensorDescriptor yDesc,
      DevicePtr y,
      cudnnTensorDescriptor dyDesc,
      DevicePtr dy,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor dxDesc,
      DevicePtr dx) {
    LrnState l = state(lrnDesc, LrnState.class);
    if (!known(handle)
        || l == null
        || !l.set
        || mode != cudnnLRNMode.CUDNN_LRN_CROSS_CHANNEL_DIM1
        || !sameShapes(yDesc, dyDesc, xDesc, dxDesc)) {
      return CUDNN_STATUS_BAD_PARAM;
    }
    int[] dims = state(xDesc, TensorState.class).dims;
    float[] xs = read("cudnnLRNCrossChannelBackward x", xDesc, x, v -> v);
    float[] dys = read("cudnnLRNCrossChannelBackward dy", dyDesc, dy, v -> v);
    read("cudnnLRNCrossChannelBackward y", yDesc, y, v -> v);
    int batch = dims[0];
    int channels = dims[1];
    int rest = xs.length / (batch * channels);
    double[] s = FakeCudnnMath.lrnScale(l.n, l.alpha, l.k, xs, batch, channels, rest);
    // y_c = x_c s_c^-beta: dx_i = dy_i s_i^-beta - 2 beta alpha / n x_i sum over c with i in
    // window(c) of
    // dy_c x_c s_c^(-beta - 1).
    double[] acc = new double[xs.length];
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < channels; i++) {
        for (int r = 0; r < rest; r++) {
          int at = (b * channels + i) * rest + r;
          double sum = 0;
          for (int c = 0; c < channels; c++) {
            if (i < FakeCudnnMath.lo(l.n, c) || i > FakeCudnnMath.hi(l.n, c, channels)) continue;
            int ct = (b * channels + c) * rest + r;
            sum += dys[ct] * xs[ct] * Math.pow(s[ct], -l.beta - 1);
          }
          acc[at] = dys[at] * Math.pow(s[at], -l.beta) - 2 * l.beta * l.alpha / l.n * xs[at] * sum;
        }
      }
    }
    blend("cudnnLRNCrossChannelBackward dx", dxDesc, dx, acc, alpha, beta);
    return CUDNN_STATUS_SUCCESS;
  }

  /**
   * The accurate softmax over channels, what featviz uses; the other algorithms and modes are not
   * modelled.
   */
  private static boolean softmaxModelled(int algo, int mode) {
    return algo == cudnnSoftmaxAlgorithm.CUDNN_SOFTMAX_ACCURATE
        && mode == cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_CHANNEL;
  }

  @Override
  public int softmaxForward(
      cudnnHandle handle,
      int algo,
      int mode,
      float alpha,
      cudnnTensorDescriptor xDesc,
      DevicePtr x,
      float beta,
      cudnnTensorDescriptor yDesc,
      DevicePtr y) {
    if (!known(handle) || !sameShapes(xDesc, yDesc)) return CUDNN_STATUS_BAD_PARAM;
    if (!softmaxModelled(algo, mode)) return CUDNN_STATUS_NOT_SUPPORTED;
    int[] dims = state(xDesc, TensorState.class).dims;
    float[] xs = read("cudnnSoftmaxForward x", xDesc, x, v -> v);
    int channels = dims[1];
    int rest = xs.length / (dims[0] * channels);
    double[] acc = new double[xs.length];
    for (int b = 0; b < dims[0]; b++) {
      for (int r = 0; r < rest; r++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < channels; c++) max = Math.max(max, xs[(b * channels + c) * rest + r]);
        double sum = 0;
        for (int c = 0; c < channels; c++) sum += Math.exp(xs[(b * channels + c) * rest + r] - max);
        for (int c = 0; c < channels; c++) {
          int at = (b * channels + c) * rest + r;
          acc[at] = Math.exp(xs[at] - max) / sum;
        }
      }
    }
    blend("cudnnSoftmaxForward y", yDesc, y, acc, alpha, beta);
    return CUDNN_STATUS_SUCCESS;
  }

  @Override
  public int softmaxBackward(
      cudnnHandle handle,
      int algo,
      int mode,
      float alpha,
      cudnnTensorDescriptor yDesc,
      DevicePtr y,
      cudnnTensorDescriptor dyDesc,
      DevicePtr dy,
      float beta,
      cudnnTensorDescriptor dxDesc,
      DevicePtr dx) {
    if (!known(handle) || !sameShapes(yDesc, dyDesc, dxDesc)) return CUDNN_STATUS_BAD_PARAM;
    if (!softmaxModelled(algo, mode)) return CUDNN_STATUS_NOT_SUPPORTED;
    int[] dims = state(yDesc, TensorState.class).dims;
    float[] ys = read("cudnnSoftmaxBackward y", yDesc, y, v -> v);
    float[] dys = read("cudnnSoftmaxBackward dy", dyDesc, dy, v -> v);
    int channels = dims[1];
    int rest = ys.length / (dims[0] * channels);
    double[] acc = new double[ys.length];
    for (int b = 0; b < dims[0]; b++) {
      for (int r = 0; r < rest; r++) {
        double dot = 0;
        for (int c = 0; c < channels; c++) {
          int at = (b * channels + c) * rest + r;
          dot += (double) dys[at] * ys[at];
        }
        for (int c = 0; c < channels; c++) {
          int at = (b * channels + c) * rest + r;
          acc[at] = ys[at] * (dys[at] - dot);
        }
      }
    }
    blend("cudnnSoftmaxBackward dx", dxDesc, dx, acc, alpha, beta);
    return CUDNN_STATUS_SUCCESS;
  }

  // ---- Tensor views
  // ------------------------------------------------------------------------------------------------

  /**
   * A tensor's elements through its dims and strides; linear index i is the row-major position in
   * its dims.
   */
  private static final class View {
    final int[] dims;
    final int[] strides;
    final Elements elements;

    View(int[] dims, int[] strides, Elements elements) {
      this.dims = dims;
      this.strides = strides;
      this.elements = elements;
    }

    long count() {
      long c = 1;
      for (int d : dims) c *= d;
      return c;
    }

    private long offset(long i) {
      long off = 0;
      for (int d = dims.length - 1; d >= 0; d--) {
        off += (i % dims[d]) * strides[d];
        i /= dims[d];
      }
      return off;
    }

    float linear(long i) {
      return elements.get(offset(i));
    }

    void setLinear(long i, float v) {
      elements.set(offset(i), v);
    }

    float raw(long off) {
      return elements.get(off);
    }

    /** Element (n, c, spatial position o of the dense spatial plane). */
    float at(int n, int c, int o) {
      return linear(((long) n * dims[1] + c) * (count() / ((long) dims[0] * dims[1])) + o);
    }

    void set(int n, int c, int o, float v) {
      setLinear(((long) n * dims[1] + c) * (count() / ((long) dims[0] * dims[1])) + o, v);
    }
  }

  private static View view(String what, TensorState t, DevicePtr p) {
    long span = 1;
    for (int d = 0; d < t.dims.length; d++) span += (long) (t.dims[d] - 1) * t.strides[d];
    return new View(t.dims, t.strides, FakeMemory.elements(what, p, t.type, span));
  }

  // ---- Defaults
  // ----------------------------------------------------------------------------------------------------

  /**
   * A plausible Find: under FMA_MATH only FMA results; under DEFAULT or TENSOR_OP math a tensor-op
   * result first, then DEFAULT and FMA ones (cuDNN reports each result's math type, which need not
   * be the descriptor's); backward data's fastest algorithm (ALGO_0, atomics) is non-deterministic,
   * as cuDNN documents.
   */
  static List<Perf> defaultPerf(Direction direction, int descriptorMath, Geometry g) {
    int precomp = cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
    int implicit = cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
    int gemm = cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_GEMM;
    if (direction == Direction.FORWARD) {
      if (descriptorMath == CUDNN_FMA_MATH) {
        return List.of(
            Perf.of(precomp, 1.0f, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH),
            Perf.of(implicit, 1.4f, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH),
            Perf.of(gemm, 2.0f, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH));
      }
      return List.of(
          Perf.of(precomp, 0.3f, CUDNN_DETERMINISTIC, CUDNN_TENSOR_OP_MATH),
          Perf.of(implicit, 0.6f, CUDNN_DETERMINISTIC, CUDNN_DEFAULT_MATH),
          Perf.of(precomp, 1.0f, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH));
    }
    int algo0 = jcuda.jcudnn.cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_0;
    int algo1 = jcuda.jcudnn.cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
    if (descriptorMath == CUDNN_FMA_MATH) {
      return List.of(
          Perf.of(algo0, 0.8f, CUDNN_NON_DETERMINISTIC, CUDNN_FMA_MATH),
          Perf.of(algo1, 1.0f, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH));
    }
    return List.of(
        Perf.of(algo0, 0.2f, CUDNN_NON_DETERMINISTIC, CUDNN_DEFAULT_MATH),
        Perf.of(algo1, 0.3f, CUDNN_DETERMINISTIC, CUDNN_TENSOR_OP_MATH),
        Perf.of(algo1, 1.0f, CUDNN_DETERMINISTIC, CUDNN_FMA_MATH));
  }

  /**
   * Workspace: none for the implicit GEMMs' first algorithm, some for the others, twice as much
   * with tensor ops.
   */
  static long defaultWorkspace(Direction direction, int algo, int mathType, Geometry g) {
    if (algo == 0) return 0;
    return 256L * (algo + 1) * g.n() * (mathType == CUDNN_FMA_MATH ? 1 : 2);
  }
}
