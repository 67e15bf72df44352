package org.featviz.cuda;

import static org.featviz.cuda.CudaStatus.checkCudnn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnActivationMode;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnLRNDescriptor;
import jcuda.jcudnn.cudnnLRNMode;
import jcuda.jcudnn.cudnnNanPropagation;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnPoolingMode;
import jcuda.jcudnn.cudnnSoftmaxAlgorithm;
import jcuda.jcudnn.cudnnSoftmaxMode;
import jcuda.jcudnn.cudnnTensorDescriptor;
import org.featviz.device.ActivationDescriptor;
import org.featviz.device.ActivationMode;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.LrnDescriptor;
import org.featviz.device.PoolDescriptor;
import org.featviz.device.SoftmaxDescriptor;
import org.featviz.device.UnaryCall;

/**
 * cuDNN for {@link CudaDevice}: one handle on the device's stream, and every descriptor cuDNN needs
 * built once per shape and cached (tensors by data type and dims; pooling, activation and LRN
 * descriptors by their records; convolutions in {@link CudnnConvolutions}). All tensors are dense
 * NCHW floats, except the 16-bit operands of BF16/FP16 convolutions. Every status goes through
 * {@link CudaStatus#checkCudnn}, naming the call. Every call goes through a {@link CudnnApi}:
 * JCudnn on a GPU ({@link JCudnnApi}), the binding fake in CI, which computes cuDNN's documented
 * semantics from the descriptors built here.
 */
final class Cudnn implements AutoCloseable {
  private final CudnnApi api;
  private final cudnnHandle handle = new cudnnHandle();
  private final CudnnConvolutions convolutions;
  private final Map<List<Integer>, cudnnTensorDescriptor> tensors = new HashMap<>();

  /** Pooling descriptors by geometry and by whether max pooling must be deterministic. */
  private final Map<List<Object>, cudnnPoolingDescriptor> pools = new HashMap<>();

  private final BooleanSupplier deterministic;
  private final Map<ActivationMode, cudnnActivationDescriptor> activations = new HashMap<>();
  private final Map<LrnDescriptor, cudnnLRNDescriptor> lrns = new HashMap<>();
  private boolean closed;

  Cudnn(CudaDevice device) {
    this(device, new JCudnnApi(device), device::deterministicAlgorithms);
  }

  /**
   * cuDNN for {@code device} (whose math mode convolutions follow, and which holds their workspace)
   * through api; {@code deterministic} says, when a convolution or pooling is first met, whether it
   * must use deterministic algorithms only (see {@link CudaDevice#deterministicAlgorithms()}).
   */
  Cudnn(Device device, CudnnApi api, BooleanSupplier deterministic) {
    this.api = api;
    this.deterministic = deterministic;
    api.bind();
    checkCudnn(api.create(handle), "cudnnCreate");
    checkCudnn(api.setStream(handle), "cudnnSetStream");
    convolutions = new CudnnConvolutions(device, this, api, handle, deterministic);
  }

  /**
   * cudnnGetVersion: MAJOR*10000 + MINOR*100 + PATCH in cuDNN 9 (91400), MAJOR*1000 + MINOR*100 +
   * PATCH in 8.
   */
  static long version() {
    return JCudnn.cudnnGetVersion();
  }

  CudnnConvolutions convolutions() {
    return convolutions;
  }

  /**
   * A dense NCHW float tensor descriptor of these dims (at least 4, as several cuDNN calls need),
   * cached.
   */
  cudnnTensorDescriptor tensor(int... dims) {
    return tensor(jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT, dims);
  }

  /**
   * A dense NCHW tensor descriptor of a cuDNN data type (FLOAT, or HALF / BFLOAT16 for the 16-bit
   * operands of the BF16 and FP16 math modes) and these dims, cached by both.
   */
  synchronized cudnnTensorDescriptor tensor(int dataType, int[] dims) {
    int[] d = dims.length >= 4 ? dims : Arrays.copyOf(dims, 4);
    for (int i = dims.length; i < 4; i++) d[i] = 1;
    List<Integer> key = new ArrayList<>();
    key.add(dataType);
    for (int v : d) key.add(v);
    return tensors.computeIfAbsent(
        key,
        k -> {
          cudnnTensorDescriptor desc = new cudnnTensorDescriptor();
          checkCudnn(api.createTensorDescriptor(desc), "cudnnCreateTensorDescriptor");
          int[] strides = new int[d.length];
          int stride = 1;
          for (int i = d.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= d[i];
          }
          checkCudnn(
              api.setTensorNdDescriptor(desc, dataType, d.length, d, strides),
              "cudnnSetTensorNdDescriptor("
                  + jcuda.jcudnn.cudnnDataType.stringFor(dataType)
                  + ", "
                  + Arrays.toString(d)
                  + ")");
          return desc;
        });
  }

  /** A pooling, activation, LRN or softmax call, forward or backward. */
  void run(UnaryCall call) {
    api.bind();
    if (call.op() instanceof PoolDescriptor d) pooling(d, call);
    else if (call.op() instanceof ActivationDescriptor d) activation(d, call);
    else if (call.op() instanceof LrnDescriptor d) lrn(d, call);
    else softmax((SoftmaxDescriptor) call.op(), call);
  }

  // ---- Pooling
  // ------------------------------------------------------------------------------------------------

  private void pooling(PoolDescriptor d, UnaryCall call) {
    cudnnTensorDescriptor xDesc = tensor(d.inputDims());
    cudnnTensorDescriptor yDesc = tensor(d.outputDims());
    if (!call.backward()) {
      checkCudnn(
          api.poolingForward(
              handle,
              pooling(d),
              call.alpha(),
              xDesc,
              ptr(call.x()),
              call.beta(),
              yDesc,
              ptr(call.y())),
          "cudnnPoolingForward(" + d + ")");
      return;
    }
    checkCudnn(
        api.poolingBackward(
            handle,
            pooling(d),
            call.alpha(),
            yDesc,
            ptr(call.y()),
            yDesc,
            ptr(call.dy()),
            xDesc,
            ptr(call.x()),
            call.beta(),
            xDesc,
            ptr(call.dx())),
        "cudnnPoolingBackward(" + d + ")");
  }

  /**
   * The pooling descriptor of a geometry, cached. Max pooling is CUDNN_POOLING_MAX, or
   * CUDNN_POOLING_MAX_DETERMINISTIC where deterministic algorithms are asked for (cuDNN documents
   * only the latter's backward as deterministic). CUDNN_PROPAGATE_NAN: a window holding a NaN gives
   * NaN, the rule of the CPU reference (MaxPoolRef) and of cuda/pool.cu too.
   */
  private synchronized cudnnPoolingDescriptor pooling(PoolDescriptor d) {
    boolean exact = deterministic.getAsBoolean();
    return pools.computeIfAbsent(
        List.of(d, exact),
        k -> {
          cudnnPoolingDescriptor desc = new cudnnPoolingDescriptor();
          checkCudnn(api.createPoolingDescriptor(desc), "cudnnCreatePoolingDescriptor");
          int mode =
              switch (d.mode()) {
                case MAX ->
                    exact
                        ? cudnnPoolingMode.CUDNN_POOLING_MAX_DETERMINISTIC
                        : cudnnPoolingMode.CUDNN_POOLING_MAX;
                case AVERAGE_COUNT_INCLUDE_PAD ->
                    cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
                case AVERAGE_COUNT_EXCLUDE_PAD ->
                    cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING;
              };
          checkCudnn(
              api.setPoolingNdDescriptor(
                  desc,
                  mode,
                  cudnnNanPropagation.CUDNN_PROPAGATE_NAN,
                  d.window().length,
                  d.window(),
                  d.pads(),
                  d.strides()),
              "cudnnSetPoolingNdDescriptor(" + d + ")");
          return desc;
        });
  }

  // ---- Activations
  // ----------------------------------------------------------------------------------------------

  private void activation(ActivationDescriptor d, UnaryCall call) {
    ActivationMode mode = d.mode();
    cudnnTensorDescriptor desc = tensor(1, d.count(), 1, 1);
    String elements = mode + ", " + d.count() + " elements)";
    if (!call.backward()) {
      checkCudnn(
          api.activationForward(
              handle,
              activation(mode),
              call.alpha(),
              desc,
              ptr(call.x()),
              call.beta(),
              desc,
              ptr(call.y())),
          "cudnnActivationForward(" + elements);
      return;
    }
    checkCudnn(
        api.activationBackward(
            handle,
            activation(mode),
            call.alpha(),
            desc,
            ptr(call.y()),
            desc,
            ptr(call.dy()),
            desc,
            ptr(call.x()),
            call.beta(),
            desc,
            ptr(call.dx())),
        "cudnnActivationBackward(" + elements);
  }

  /** The activation descriptor of a mode, cached (also used by fused convolutions). */
  synchronized cudnnActivationDescriptor activation(ActivationMode mode) {
    return activations.computeIfAbsent(
        mode,
        m -> {
          cudnnActivationDescriptor desc = new cudnnActivationDescriptor();
          checkCudnn(api.createActivationDescriptor(desc), "cudnnCreateActivationDescriptor");
          int cudnnMode =
              switch (mode) {
                case RELU -> cudnnActivationMode.CUDNN_ACTIVATION_RELU;
                case SIGMOID -> cudnnActivationMode.CUDNN_ACTIVATION_SIGMOID;
                case TANH -> cudnnActivationMode.CUDNN_ACTIVATION_TANH;
              };
          checkCudnn(
              api.setActivationDescriptor(
                  desc, cudnnMode, cudnnNanPropagation.CUDNN_PROPAGATE_NAN, 0.0),
              "cudnnSetActivationDescriptor(" + mode + ")");
          return desc;
        });
  }

  // ---- LRN
  // ------------------------------------------------------------------------------------------------------

  private void lrn(LrnDescriptor d, UnaryCall call) {
    cudnnTensorDescriptor desc = tensor(d.n(), d.c(), d.s(), 1);
    if (!call.backward()) {
      checkCudnn(
          api.lrnCrossChannelForward(
              handle,
              lrn(d),
              cudnnLRNMode.CUDNN_LRN_CROSS_CHANNEL_DIM1,
              call.alpha(),
              desc,
              ptr(call.x()),
              call.beta(),
              desc,
              ptr(call.y())),
          "cudnnLRNCrossChannelForward(" + d + ")");
      return;
    }
    checkCudnn(
        api.lrnCrossChannelBackward(
            handle,
            lrn(d),
            cudnnLRNMode.CUDNN_LRN_CROSS_CHANNEL_DIM1,
            call.alpha(),
            desc,
            ptr(call.y()),
            desc,
            ptr(call.dy()),
            desc,
            ptr(call.x()),
            call.beta(),
            desc,
            ptr(call.dx())),
        "cudnnLRNCrossChannelBackward(" + d + ")");
  }

  private synchronized cudnnLRNDescriptor lrn(LrnDescriptor d) {
    return lrns.computeIfAbsent(
        d,
        k -> {
          cudnnLRNDescriptor desc = new cudnnLRNDescriptor();
          checkCudnn(api.createLRNDescriptor(desc), "cudnnCreateLRNDescriptor");
          checkCudnn(
              api.setLRNDescriptor(desc, d.size(), d.alpha(), d.beta(), d.bias()),
              "cudnnSetLRNDescriptor(" + d + ")");
          return desc;
        });
  }

  // ---- Softmax
  // --------------------------------------------------------------------------------------------------

  /**
   * Channel mode on [outer, length, inner, 1]: softmax along the length axis for every (outer,
   * inner).
   */
  private void softmax(SoftmaxDescriptor d, UnaryCall call) {
    cudnnTensorDescriptor desc = tensor(d.outer(), d.length(), d.inner(), 1);
    if (!call.backward()) {
      checkCudnn(
          api.softmaxForward(
              handle,
              cudnnSoftmaxAlgorithm.CUDNN_SOFTMAX_ACCURATE,
              cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_CHANNEL,
              call.alpha(),
              desc,
              ptr(call.x()),
              call.beta(),
              desc,
              ptr(call.y())),
          "cudnnSoftmaxForward(" + d + ")");
      return;
    }
    checkCudnn(
        api.softmaxBackward(
            handle,
            cudnnSoftmaxAlgorithm.CUDNN_SOFTMAX_ACCURATE,
            cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_CHANNEL,
            call.alpha(),
            desc,
            ptr(call.y()),
            desc,
            ptr(call.dy()),
            call.beta(),
            desc,
            ptr(call.dx())),
        "cudnnSoftmaxBackward(" + d + ")");
  }

  /** Destroys each cached descriptor with {@code destroy}, the cuDNN call named {@code call}. */
  static <D> void destroyAll(Collection<D> descriptors, ToIntFunction<D> destroy, String call) {
    for (D d : descriptors) checkCudnn(destroy.applyAsInt(d), call);
  }

  static DevicePtr ptr(DeviceBuffer buffer) {
    return DevicePtr.of(buffer);
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    api.bind();
    convolutions.close();
    destroyAll(pools.values(), api::destroyPoolingDescriptor, "cudnnDestroyPoolingDescriptor");
    destroyAll(
        activations.values(), api::destroyActivationDescriptor, "cudnnDestroyActivationDescriptor");
    destroyAll(lrns.values(), api::destroyLRNDescriptor, "cudnnDestroyLRNDescriptor");
    destroyAll(tensors.values(), api::destroyTensorDescriptor, "cudnnDestroyTensorDescriptor");
    checkCudnn(api.destroy(handle), "cudnnDestroy");
  }
}
