package org.featviz.cuda;

import static org.featviz.cuda.CudaStatus.checkCudnn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnDeterminism;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import org.featviz.device.ActivationDescriptor;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.ConvolutionCall;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceException;
import org.featviz.device.MathMode;
import org.featviz.device.UnaryCall;

/**
 * cuDNN convolutions (forward and backward-data) for {@link Cudnn}. For each geometry and math
 * mode, cached by its {@link ConvDescriptor} and the device's {@link MathMode}: the filter
 * descriptor, and per direction a convolution descriptor and the algorithm that
 * cudnnFindConvolutionForwardAlgorithm / cudnnFindConvolutionBackwardDataAlgorithm measure fastest
 * among those the mode allows.
 *
 * <p>Math types. Find runs under the descriptor's math type: CUDNN_FMA_MATH in FP32 (FMA kernels
 * only), CUDNN_DEFAULT_MATH in TF32 (TF32 tensor cores allowed on Ampere and later),
 * CUDNN_TENSOR_OP_MATH in BF16 and FP16. Each result reports the math type it was measured with,
 * which need not be the descriptor's, and cuDNN runs an algorithm under the math type the
 * descriptor holds when the call is made. So the chosen result's math type is set on that
 * direction's descriptor (forward and backward data have one each, since they may choose
 * differently), and its workspace is queried again for that algorithm and math type
 * (cudnnGetConvolution*WorkspaceSize), which is what the call is given. FP32 accepts only
 * CUDNN_FMA_MATH results: CUDNN_DEFAULT_MATH may use TF32 on Ampere and later, and the tensor-op
 * types certainly do. TF32 accepts any math type except CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION,
 * which would convert FP32 operands to FP16. BF16 and FP16 accept any; there x, w and y are
 * CUDNN_DATA_BFLOAT16 or CUDNN_DATA_HALF tensors and the compute type stays CUDNN_DATA_FLOAT
 * (cuDNN's PSEUDO_BFLOAT16 / PSEUDO_HALF configurations: FP32 accumulation, y written in x's type).
 * Results whose status is not success are skipped, and so are results whose workspace query fails.
 * Where deterministic algorithms are asked for ({@link CudaDevice#deterministicAlgorithms()}), so
 * are results that do not report CUDNN_DETERMINISTIC; geometries are cached apart for the two
 * settings.
 *
 * <p>One workspace, shared by every convolution of the device, grows to the largest need; growing
 * happens in {@link #prepare}, so a plan that prepares its convolutions allocates nothing when it
 * runs (in the math mode it was prepared in).
 */
final class CudnnConvolutions implements AutoCloseable {
  /** One direction of a geometry: its own convolution descriptor and, once found, its algorithm. */
  private static final class Direction {
    final cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
    int algo = -1;
    int mathType;
    long bytes;

    boolean found() {
      return algo >= 0;
    }
  }

  /** The cached state of one geometry in one math mode. */
  private static final class Geometry {
    final cudnnFilterDescriptor filter = new cudnnFilterDescriptor();
    final Direction forward = new Direction();
    final Direction backwardData = new Direction();

    /**
     * Set once cudnnConvolutionBiasActivationForward refused this geometry: the three-call fallback
     * from then on.
     */
    boolean fusedRefused;

    MathMode mode;
    boolean deterministic;
  }

  private final Device device;
  private final Cudnn cudnn;
  private final CudnnApi api;
  private final cudnnHandle handle;
  private final BooleanSupplier deterministic;

  /**
   * What a cached geometry is keyed by: the convolution, and the math mode and determinism it was
   * chosen for.
   */
  private record Key(ConvDescriptor conv, MathMode mode, boolean deterministic) {}

  private final Map<Key, Geometry> geometries = new HashMap<>();
  private DeviceBuffer workspace;

  CudnnConvolutions(
      Device device, Cudnn cudnn, CudnnApi api, cudnnHandle handle, BooleanSupplier deterministic) {
    this.device = device;
    this.cudnn = cudnn;
    this.api = api;
    this.handle = handle;
    this.deterministic = deterministic;
  }

  /** Finds both algorithms of this geometry and grows the workspace for them. */
  synchronized void prepare(ConvDescriptor d) {
    Geometry g = geometry(d);
    findForward(d, g);
    findBackwardData(d, g);
    ensureWorkspace(Math.max(g.forward.bytes, g.backwardData.bytes));
  }

  /**
   * y = act(alpha conv(x, w) + beta y + bias) by cudnnConvolutionBiasActivationForward with z = y
   * and alpha2 = beta (plans pass beta = 0; that z may alias y, and is not read at alpha2 = 0, is
   * unverified on a GPU), run with the algorithm, math type and workspace found for this geometry's
   * forward convolution. (cuDNN restricts the fused call to
   * CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM only for CUDNN_ACTIVATION_IDENTITY; with ReLU
   * any forward algorithm may run it.) Where cuDNN refuses the fused call for this geometry, the
   * same result comes from three calls, the convolution, cudnnAddTensor of the bias and the
   * activation in place, and the geometry takes them from then on.
   */
  private void biasActivationForward(ConvolutionCall call) {
    ConvDescriptor d = call.d();
    DevicePtr x = Cudnn.ptr(call.in0());
    DevicePtr w = Cudnn.ptr(call.in1());
    DevicePtr y = Cudnn.ptr(call.out());
    api.bind();
    Geometry g = geometry(d);
    findForward(d, g);
    int[] biasDims = new int[d.outputDims().length];
    java.util.Arrays.fill(biasDims, 1);
    biasDims[1] = d.k();
    cudnnTensorDescriptor yDesc = cudnn.tensor(d.outputDims());
    if (!g.fusedRefused) {
      ensureWorkspace(g.forward.bytes);
      int status =
          api.convolutionBiasActivationForward(
              handle,
              call.alpha(),
              cudnn.tensor(d.inputDims()),
              x,
              g.filter,
              w,
              g.forward.conv,
              g.forward.algo,
              workspacePointer(),
              g.forward.bytes,
              call.beta(),
              yDesc,
              y,
              cudnn.tensor(biasDims),
              Cudnn.ptr(call.bias()),
              cudnn.activation(call.activation()),
              yDesc,
              y);
      if (status == 0) return;
      // cuDNN does not run the fused call for this geometry: the calls below compute the same, and
      // this geometry
      // takes them from now on (a call refused by cuDNN writes nothing, and plans pass beta = 0, so
      // the forward
      // below overwrites y anyway; a real fault shows again in these calls, with its own message).
      g.fusedRefused = true;
    }
    run(call.withoutBiasActivation());
    checkCudnn(
        api.addTensor(handle, 1f, cudnn.tensor(biasDims), Cudnn.ptr(call.bias()), 1f, yDesc, y),
        "cudnnAddTensor(bias of " + d + ")");
    DeviceBuffer out = call.out();
    cudnn.run(
        UnaryCall.forward(
            new ActivationDescriptor(call.activation(), (int) d.outputCount()), out, out, 1f, 0f));
  }

  /**
   * A forward or backward-data convolution, cudnnConvolutionForward or
   * cudnnConvolutionBackwardData: on FP32 operands with the geometry of the device's math mode, or
   * on 16-bit operands with the geometry of the call's format (its data type, the operands at byte
   * offsets of device buffers, the staging arena; FP32 accumulation, the output written in 16 bits,
   * MixedPrecision blending in FP32 afterwards); the fused forward as {@link
   * #biasActivationForward}.
   */
  synchronized void run(ConvolutionCall call) {
    if (call.kind() == ConvolutionCall.Kind.BIAS_ACTIVATION_FORWARD) {
      biasActivationForward(call);
      return;
    }
    ConvDescriptor d = call.d();
    MathMode mode = call.sixteenBit() ? call.format() : device.mathMode();
    String named = (call.sixteenBit() ? call.format() + ", " : "") + d + ", ";
    DevicePtr in0 = pointer(call, call.in0(), call.in0Pos());
    DevicePtr in1 = pointer(call, call.in1(), call.in1Pos());
    DevicePtr out = pointer(call, call.out(), call.outPos());
    api.bind();
    Geometry g = geometry(d, mode);
    int type = dataType(mode);
    if (call.kind() == ConvolutionCall.Kind.FORWARD) {
      findForward(d, g);
      ensureWorkspace(g.forward.bytes);
      checkCudnn(
          api.convolutionForward(
              handle,
              call.alpha(),
              cudnn.tensor(type, d.inputDims()),
              in0,
              g.filter,
              in1,
              g.forward.conv,
              g.forward.algo,
              workspacePointer(),
              g.forward.bytes,
              call.beta(),
              cudnn.tensor(type, d.outputDims()),
              out),
          "cudnnConvolutionForward(" + named + describe(g.forward) + ")");
      return;
    }
    findBackwardData(d, g);
    ensureWorkspace(g.backwardData.bytes);
    checkCudnn(
        api.convolutionBackwardData(
            handle,
            call.alpha(),
            g.filter,
            in0,
            cudnn.tensor(type, d.outputDims()),
            in1,
            g.backwardData.conv,
            g.backwardData.algo,
            workspacePointer(),
            g.backwardData.bytes,
            call.beta(),
            cudnn.tensor(type, d.inputDims()),
            out),
        "cudnnConvolutionBackwardData(" + named + describe(g.backwardData) + ")");
  }

  /** An operand's address: a float position, or a byte offset in a 16-bit call. */
  private static DevicePtr pointer(ConvolutionCall call, DeviceBuffer buffer, long pos) {
    return DevicePtr.at(buffer, call.sixteenBit() ? pos : pos * Float.BYTES);
  }

  private Geometry geometry(ConvDescriptor d) {
    return geometry(d, device.mathMode());
  }

  /**
   * The cached descriptors and algorithms of a geometry in a math mode (16-bit data in BF16 and
   * FP16).
   */
  private Geometry geometry(ConvDescriptor d, MathMode mode) {
    Key key = new Key(d, mode, deterministic.getAsBoolean());
    Geometry g = geometries.get(key);
    if (g != null) return g;
    api.bind();
    g = new Geometry();
    int[] w = d.weightDims();
    checkCudnn(api.createFilterDescriptor(g.filter), "cudnnCreateFilterDescriptor");
    checkCudnn(
        api.setFilterNdDescriptor(
            g.filter, dataType(mode), cudnnTensorFormat.CUDNN_TENSOR_NCHW, w.length, w),
        "cudnnSetFilterNdDescriptor(" + d + ", " + mode + ")");
    for (Direction direction : new Direction[] {g.forward, g.backwardData}) {
      cudnnConvolutionDescriptor conv = direction.conv;
      checkCudnn(api.createConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
      checkCudnn(
          api.setConvolutionNdDescriptor(
              conv,
              d.pads().length,
              d.pads(),
              d.strides(),
              d.dilations(),
              cudnnConvolutionMode.CUDNN_CROSS_CORRELATION,
              cudnnDataType.CUDNN_DATA_FLOAT),
          "cudnnSetConvolutionNdDescriptor(" + d + ")");
      checkCudnn(
          api.setConvolutionGroupCount(conv, d.groups()),
          "cudnnSetConvolutionGroupCount(" + d + ")");
      // The math type Find runs under (see the class comment); the chosen result's replaces it.
      int mathType =
          switch (mode) {
            case FP32 -> cudnnMathType.CUDNN_FMA_MATH;
            case TF32 -> cudnnMathType.CUDNN_DEFAULT_MATH;
            case BF16, FP16 -> cudnnMathType.CUDNN_TENSOR_OP_MATH;
          };
      checkCudnn(
          api.setConvolutionMathType(conv, mathType),
          "cudnnSetConvolutionMathType(" + cudnnMathType.stringFor(mathType) + ")");
    }
    g.mode = mode;
    g.deterministic = key.deterministic();
    geometries.put(key, g);
    return g;
  }

  /**
   * One cudnnFind* result: what the choice reads of cudnnConvolutionFwdAlgoPerf /
   * ...BwdDataAlgoPerf.
   */
  private record Result(int algo, int status, float time, int determinism, int mathType) {
    @Override
    public String toString() {
      return "algo "
          + algo
          + " "
          + cudnnMathType.stringFor(mathType)
          + (status == 0 ? "" : " status " + status)
          + (determinism == cudnnDeterminism.CUDNN_DETERMINISTIC ? " deterministic" : "")
          + String.format(" %.3f ms", time);
    }
  }

  /** The workspace query of one direction for an algorithm under the descriptor's math type now. */
  private interface WorkspaceQuery {
    int bytes(int algo, long[] bytes);
  }

  private void findForward(ConvDescriptor d, Geometry g) {
    if (g.forward.found()) return;
    api.bind();
    int[] max = {0};
    checkCudnn(
        api.getConvolutionForwardAlgorithmMaxCount(handle, max),
        "cudnnGetConvolutionForwardAlgorithmMaxCount");
    cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[Math.max(1, max[0])];
    for (int i = 0; i < perf.length; i++) perf[i] = new cudnnConvolutionFwdAlgoPerf();
    int[] returned = {0};
    String call = "cudnnFindConvolutionForwardAlgorithm(" + d + ", " + g.mode + ")";
    int type = dataType(g.mode);
    cudnnTensorDescriptor x = cudnn.tensor(type, d.inputDims());
    cudnnTensorDescriptor y = cudnn.tensor(type, d.outputDims());
    checkCudnn(
        api.findConvolutionForwardAlgorithm(
            handle, x, g.filter, g.forward.conv, y, perf.length, returned, perf),
        call);
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < returned[0]; i++) {
      results.add(
          new Result(
              perf[i].algo, perf[i].status, perf[i].time, perf[i].determinism, perf[i].mathType));
    }
    choose(
        call,
        g,
        g.forward,
        results,
        (algo, bytes) ->
            api.getConvolutionForwardWorkspaceSize(
                handle, x, g.filter, g.forward.conv, y, algo, bytes));
  }

  private void findBackwardData(ConvDescriptor d, Geometry g) {
    if (g.backwardData.found()) return;
    api.bind();
    int[] max = {0};
    checkCudnn(
        api.getConvolutionBackwardDataAlgorithmMaxCount(handle, max),
        "cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
    cudnnConvolutionBwdDataAlgoPerf[] perf =
        new cudnnConvolutionBwdDataAlgoPerf[Math.max(1, max[0])];
    for (int i = 0; i < perf.length; i++) perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
    int[] returned = {0};
    String call = "cudnnFindConvolutionBackwardDataAlgorithm(" + d + ", " + g.mode + ")";
    int type = dataType(g.mode);
    cudnnTensorDescriptor dy = cudnn.tensor(type, d.outputDims());
    cudnnTensorDescriptor dx = cudnn.tensor(type, d.inputDims());
    checkCudnn(
        api.findConvolutionBackwardDataAlgorithm(
            handle, g.filter, dy, g.backwardData.conv, dx, perf.length, returned, perf),
        call);
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < returned[0]; i++) {
      results.add(
          new Result(
              perf[i].algo, perf[i].status, perf[i].time, perf[i].determinism, perf[i].mathType));
    }
    choose(
        call,
        g,
        g.backwardData,
        results,
        (algo, bytes) ->
            api.getConvolutionBackwardDataWorkspaceSize(
                handle, g.filter, dy, g.backwardData.conv, dx, algo, bytes));
  }

  /**
   * Takes the first (fastest) result the mode (and the determinism asked for) allows: sets its math
   * type on the direction's descriptor and queries its workspace under that math type; a result
   * whose math type cannot be set or whose query fails is skipped.
   */
  private void choose(
      String call, Geometry g, Direction direction, List<Result> results, WorkspaceQuery query) {
    MathMode mode = g.mode;
    for (Result r : results) {
      if (r.status() != 0 || !allowed(mode, r.mathType())) continue;
      if (g.deterministic && r.determinism() != cudnnDeterminism.CUDNN_DETERMINISTIC) continue;
      if (api.setConvolutionMathType(direction.conv, r.mathType()) != 0) continue;
      long[] bytes = {0};
      if (query.bytes(r.algo(), bytes) != 0) continue;
      direction.algo = r.algo();
      direction.mathType = r.mathType();
      direction.bytes = bytes[0];
      return;
    }
    throw new DeviceException(
        call
            + ": none of the "
            + results.size()
            + " results runs in "
            + mode
            + " ("
            + allowedTypes(mode)
            + (g.deterministic ? ", deterministic" : "")
            + ", status success, a workspace query that succeeds): "
            + results);
  }

  /** Whether a result of this math type keeps to the mode (see the class comment). */
  static boolean allowed(MathMode mode, int mathType) {
    return switch (mode) {
      case FP32 -> mathType == cudnnMathType.CUDNN_FMA_MATH;
      case TF32 -> mathType != cudnnMathType.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
      case BF16, FP16 -> true;
    };
  }

  private static String allowedTypes(MathMode mode) {
    return switch (mode) {
      case FP32 -> "CUDNN_FMA_MATH only";
      case TF32 -> "any math type but CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION";
      case BF16, FP16 -> "any math type";
    };
  }

  private static String describe(Direction direction) {
    return "algo "
        + direction.algo
        + ", "
        + cudnnMathType.stringFor(direction.mathType)
        + ", "
        + direction.bytes
        + " workspace bytes";
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

  @Override
  public synchronized void close() {
    for (Geometry g : geometries.values()) {
      checkCudnn(api.destroyFilterDescriptor(g.filter), "cudnnDestroyFilterDescriptor");
      checkCudnn(
          api.destroyConvolutionDescriptor(g.forward.conv), "cudnnDestroyConvolutionDescriptor");
      checkCudnn(
          api.destroyConvolutionDescriptor(g.backwardData.conv),
          "cudnnDestroyConvolutionDescriptor");
    }
    geometries.clear();
    if (workspace != null)
      workspace.close(); // already freed when the device closes first; close is idempotent
  }
}
