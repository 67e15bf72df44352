package org.featviz.device;

import java.util.List;

/**
 * A CUDA device as featviz uses it: device memory, copies to and from host arrays, and custom kernels from
 * {@code cuda/*.cu} launched by name. Implemented by {@link org.featviz.cuda.CudaDevice} (a GPU through JCuda) and
 * {@link org.featviz.device.emu.EmulatedDevice} (the same kernel sources run on the CPU, for CI).
 *
 * <p>Operations run in order, as if on one CUDA stream. Copies to host arrays return when the data is there;
 * launches may return before the kernel finishes (on the GPU), so timing code calls {@link #synchronize()}.
 * Host-array positions and counts are in elements (floats or ints); device positions of host copies are in
 * elements too, counted from the buffer's start; memset and device-to-device copies work in bytes.
 *
 * <pre>
 * try (Device device = new EmulatedDevice();
 *      DeviceBuffer x = device.toDevice(hostX);
 *      DeviceBuffer y = device.allocateFloats(rows)) {
 *   device.launch("row_sum", Dim3.of(rows), Dim3.of(256), 0, new KernelArgs().ptr(x).ptr(y).i32(rows).i32(cols));
 *   float[] sums = device.copyToHostFloats(y, rows);
 * }
 * </pre>
 */
public interface Device extends AutoCloseable {
  /** The most threads a block may have; larger blocks are rejected before launch. */
  int MAX_BLOCK_THREADS = 1024;
  /** The most dynamic shared memory a launch may ask for without opting in (48 KiB). */
  int MAX_DYNAMIC_SHARED_BYTES = 48 * 1024;

  /** A human-readable name, e.g. "NVIDIA H100 80GB HBM3 (CUDA)". */
  String name();

  // ---- Memory -----------------------------------------------------------------------------------------------

  /**
   * Device memory still free for allocations, in bytes, as the driver reports it (the emulator: its configured
   * limit minus what is allocated; unlimited by default). Plans check it before they allocate.
   */
  long freeMemoryBytes();

  /** Allocates {@code bytes} bytes of device memory (contents undefined). */
  DeviceBuffer allocate(long bytes);

  /** Allocates room for {@code count} floats. */
  default DeviceBuffer allocateFloats(long count) {
    return allocate(Math.multiplyExact(count, Float.BYTES));
  }

  /** Allocates room for {@code count} ints. */
  default DeviceBuffer allocateInts(long count) {
    return allocate(Math.multiplyExact(count, Integer.BYTES));
  }

  /** Copies {@code count} floats from {@code src[srcPos..]} to float position {@code dstPos} of {@code dst}. */
  void copyToDevice(float[] src, int srcPos, DeviceBuffer dst, long dstPos, int count);

  /** Copies {@code count} ints from {@code src[srcPos..]} to int position {@code dstPos} of {@code dst}. */
  void copyToDevice(int[] src, int srcPos, DeviceBuffer dst, long dstPos, int count);

  /** Copies {@code count} floats from float position {@code srcPos} of {@code src} to {@code dst[dstPos..]}. */
  void copyToHost(DeviceBuffer src, long srcPos, float[] dst, int dstPos, int count);

  /** Copies {@code count} ints from int position {@code srcPos} of {@code src} to {@code dst[dstPos..]}. */
  void copyToHost(DeviceBuffer src, long srcPos, int[] dst, int dstPos, int count);

  /** Sets {@code bytes} bytes from {@code byteOffset} to zero. */
  void memsetZero(DeviceBuffer buffer, long byteOffset, long bytes);

  /** Copies {@code bytes} bytes between device buffers (the ranges must not overlap). */
  void copy(DeviceBuffer src, long srcByteOffset, DeviceBuffer dst, long dstByteOffset, long bytes);

  default void copyToDevice(float[] src, DeviceBuffer dst) {
    copyToDevice(src, 0, dst, 0, src.length);
  }

  default void copyToDevice(int[] src, DeviceBuffer dst) {
    copyToDevice(src, 0, dst, 0, src.length);
  }

  /** A new buffer holding a copy of {@code host}. */
  default DeviceBuffer toDevice(float[] host) {
    DeviceBuffer buffer = allocateFloats(host.length);
    copyToDevice(host, buffer);
    return buffer;
  }

  /** A new buffer holding a copy of {@code host}. */
  default DeviceBuffer toDevice(int[] host) {
    DeviceBuffer buffer = allocateInts(host.length);
    copyToDevice(host, buffer);
    return buffer;
  }

  /** The first {@code count} floats of {@code src}. */
  default float[] copyToHostFloats(DeviceBuffer src, int count) {
    float[] out = new float[count];
    copyToHost(src, 0, out, 0, count);
    return out;
  }

  /** The first {@code count} ints of {@code src}. */
  default int[] copyToHostInts(DeviceBuffer src, int count) {
    int[] out = new int[count];
    copyToHost(src, 0, out, 0, count);
    return out;
  }

  default void memsetZero(DeviceBuffer buffer) {
    memsetZero(buffer, 0, buffer.bytes());
  }

  // ---- Custom kernels ---------------------------------------------------------------------------------------

  /**
   * Launches the kernel {@code extern "C" __global__ void kernel(...)} of {@code cuda/*.cu}. The arguments are
   * checked against the kernel's parameters first: an unknown kernel, a wrong number or kind of arguments, a block
   * of more than {@link #MAX_BLOCK_THREADS} threads, or a closed or foreign buffer throws IllegalArgumentException
   * (or IllegalStateException) and launches nothing.
   *
   * @param sharedBytes dynamic shared memory ({@code extern __shared__}), in bytes
   */
  void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

  /** The names of the kernels this device can launch, sorted. */
  List<String> kernelNames();

  /** The parameters of a kernel; IllegalArgumentException, listing the known kernels, when there is none. */
  KernelSignature kernelSignature(String kernel);

  /** Waits until every operation issued so far has finished; reports asynchronous kernel errors. */
  void synchronize();

  // ---- Library operations -----------------------------------------------------------------------------------
  // cuDNN/cuBLAS-semantics operations: CudaDevice implements them over JCublas2/JCudnn and EmulatedDevice over the
  // CPU reference kernels of org.featviz.cpu (DESIGN.md section 8). Each computes out = alpha op(...) + beta out,
  // as cuDNN does: beta = 0 overwrites out without reading it, beta = 1 accumulates (gradient sums). Buffers are
  // dense float tensors in the descriptor's layout (row-major, NCHW); they are checked like launch arguments (open,
  // owned, large enough) before anything runs. Order with kernels and copies is the stream order.

  /** The arithmetic library operations use; {@link MathMode#FP32} by default. */
  MathMode mathMode();

  /**
   * Selects the math mode of later library operations: FP32, TF32 (convolutions and GEMMs on tensor cores with
   * 10-bit mantissa inputs), or BF16 / FP16 (convolutions and GEMMs on 16-bit copies of their operands with FP32
   * accumulation, see {@link MixedPrecision}). Other operations always compute in FP32.
   */
  void setMathMode(MathMode mode);

  /** What {@link #withMathMode} returns: closing it restores the mode that was set before. */
  interface MathModeScope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Sets {@code mode} until the returned scope is closed, then restores the previous mode: for library calls that
   * must not follow the mode chosen for the network, such as the image parameterization's inverse DFT and the
   * whitening transforms, which stay FP32 whatever the network computes in.
   */
  default MathModeScope withMathMode(MathMode mode) {
    MathMode before = mathMode();
    setMathMode(mode);
    return () -> setMathMode(before);
  }

  /**
   * Grows the device's 16-bit staging arena (see {@link MixedPrecision}) to at least {@code bytes}, so that BF16 and
   * FP16 convolutions and GEMMs whose operands fit allocate nothing when they run. Plans call it when they are built
   * with their largest need; the arena is shared by everything on the device and never shrinks. Optional: a call
   * whose operands do not fit grows the arena first.
   */
  void reserveStaging(long bytes);

  /** Bytes of the 16-bit staging arena now (0 until a BF16/FP16 operation or a reservation needed one). */
  long stagingBytes();

  /**
   * Does now what the first convolution of this geometry would otherwise do: find and cache cuDNN's algorithms and
   * grow the shared workspace (and, in BF16/FP16, the staging arena), so that later convolution calls in the current
   * math mode allocate nothing. Optional; idempotent.
   */
  void convolutionPrepare(ConvDescriptor d);

  /** y = alpha conv(x, w) + beta y; x, w, y in the descriptor's input, weight and output dims. */
  void convolutionForward(ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha, float beta);

  /** dx = alpha conv_backward_data(w, dy) + beta dx: the gradient with respect to x only (weights are frozen). */
  void convolutionBackwardData(ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta);

  /**
   * y = act(alpha conv(x, w) + beta y + bias[k]): convolution, per-output-channel bias and activation in one call,
   * cuDNN's cudnnConvolutionBiasActivationForward with z = y. Only {@link ActivationMode#RELU} (cuDNN fuses ReLU
   * and identity only); bias holds K floats. The backward is the activation's backward from y, then
   * {@link #convolutionBackwardData}.
   */
  void convolutionBiasActivationForward(ConvDescriptor d, ActivationMode mode, DeviceBuffer x, DeviceBuffer w,
      DeviceBuffer bias, DeviceBuffer y, float alpha, float beta);

  /**
   * C = alpha op(A) op(B) + beta C, row-major (see {@link GemmDescriptor}); each matrix starts {@code pos} floats
   * into its buffer, so batched products can address slices of one buffer.
   */
  void gemm(GemmDescriptor d, DeviceBuffer a, long aPos, DeviceBuffer b, long bPos, DeviceBuffer c, long cPos,
      float alpha, float beta);

  /** {@link #gemm(GemmDescriptor, DeviceBuffer, long, DeviceBuffer, long, DeviceBuffer, long, float, float)} at 0. */
  default void gemm(GemmDescriptor d, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c, float alpha, float beta) {
    gemm(d, a, 0, b, 0, c, 0, alpha, beta);
  }

  /**
   * {@code batch.count()} GEMMs as {@link #gemm} computes them, the i-th on the matrices at {@code pos + i stride}
   * (cublasSgemmStridedBatched semantics, see {@link GemmBatch}): a stride of 0 broadcasts one matrix to every
   * product; C's matrices must not overlap.
   */
  void gemmStridedBatched(GemmDescriptor d, GemmBatch batch, DeviceBuffer a, long aPos, DeviceBuffer b, long bPos,
      DeviceBuffer c, long cPos, float alpha, float beta);

  /** y = alpha pool(x) + beta y. */
  void poolingForward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  /** dx = alpha pool_backward(x, y, dy) + beta dx; y is the forward's output for x. */
  void poolingBackward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx,
      float alpha, float beta);

  /** y = alpha act(x) + beta y over {@code count} elements (x and y may be the same buffer). */
  void activationForward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  /** dx = alpha act'(x, y) dy + beta dx; y is the forward's output for x. */
  void activationBackward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
      DeviceBuffer dx, float alpha, float beta);

  /** y = alpha lrn(x) + beta y. */
  void lrnForward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  /** dx = alpha lrn_backward(x, y, dy) + beta dx; y is the forward's output for x. */
  void lrnBackward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta);

  /** y = alpha softmax(x) + beta y. */
  void softmaxForward(SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  /** dx = alpha softmax_backward(y, dy) + beta dx; y is the forward's output. */
  void softmaxBackward(SoftmaxDescriptor d, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta);

  /** Frees every buffer this device still owns, then the device itself. Idempotent. */
  @Override
  void close();
}
