package org.featviz.device;

import java.util.List;

/**
 * A CUDA device as featviz uses it: device memory, copies to and from host arrays, custom kernels
 * from {@code cuda/*.cu} launched by name, a stream to wait for, a math mode, and the cuDNN/cuBLAS
 * operations behind one accessor, {@link #library()}. Implemented by {@link
 * org.featviz.cuda.CudaDevice} (a GPU through JCuda) and {@link
 * org.featviz.device.emu.EmulatedDevice} (the same kernel sources run on the CPU, for CI).
 *
 * <p>Operations run in order, as if on one CUDA stream. Copies to host arrays return when the data
 * is there; launches may return before the kernel finishes (on the GPU), so timing code calls
 * {@link #synchronize()}. Host-array positions and counts are in elements (floats or ints); device
 * positions of host copies are in elements too, counted from the buffer's start; memset and
 * device-to-device copies work in bytes.
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

  // ---- Memory
  // -----------------------------------------------------------------------------------------------

  /**
   * Device memory still free for allocations, in bytes, as the driver reports it (the emulator: its
   * configured limit minus what is allocated; unlimited by default). Plans check it before they
   * allocate.
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

  /**
   * Copies {@code count} floats from {@code src[srcPos..]} to float position {@code dstPos} of
   * {@code dst}.
   */
  void copyToDevice(float[] src, int srcPos, DeviceBuffer dst, long dstPos, int count);

  /**
   * Copies {@code count} ints from {@code src[srcPos..]} to int position {@code dstPos} of {@code
   * dst}.
   */
  void copyToDevice(int[] src, int srcPos, DeviceBuffer dst, long dstPos, int count);

  /**
   * Copies {@code count} floats from float position {@code srcPos} of {@code src} to {@code
   * dst[dstPos..]}.
   */
  void copyToHost(DeviceBuffer src, long srcPos, float[] dst, int dstPos, int count);

  /**
   * Copies {@code count} ints from int position {@code srcPos} of {@code src} to {@code
   * dst[dstPos..]}.
   */
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

  // ---- Custom kernels
  // ---------------------------------------------------------------------------------------

  /**
   * Launches the kernel {@code extern "C" __global__ void kernel(...)} of {@code cuda/*.cu}. The
   * arguments are checked against the kernel's parameters first: an unknown kernel, a wrong number
   * or kind of arguments, a block of more than {@link #MAX_BLOCK_THREADS} threads, or a closed or
   * foreign buffer throws IllegalArgumentException (or IllegalStateException) and launches nothing.
   *
   * @param sharedBytes dynamic shared memory ({@code extern __shared__}), in bytes
   */
  void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

  /** The names of the kernels this device can launch, sorted. */
  List<String> kernelNames();

  /**
   * The parameters of a kernel; IllegalArgumentException, listing the known kernels, when there is
   * none.
   */
  KernelSignature kernelSignature(String kernel);

  /** Waits until every operation issued so far has finished; reports asynchronous kernel errors. */
  void synchronize();

  // ---- Math mode and library operations
  // ------------------------------------------------------------------------

  /** The arithmetic of the library's convolutions and GEMMs; {@link MathMode#FP32} by default. */
  MathMode mathMode();

  /**
   * Selects the math mode of later library operations: FP32, TF32 (convolutions and GEMMs on tensor
   * cores with 10-bit mantissa inputs), or BF16 / FP16 (mixed precision: a plan stages 16-bit
   * copies of the operands of its convolutions and GEMMs, see {@link DeviceLibrary}). Other
   * operations always compute in FP32.
   */
  void setMathMode(MathMode mode);

  /** What {@link #withMathMode} returns: closing it restores the mode that was set before. */
  interface MathModeScope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Sets {@code mode} until the returned scope is closed, then restores the previous mode: for
   * library calls that must not follow the mode chosen for the network, such as the image
   * parameterization's inverse DFT and the whitening transforms, which stay FP32 whatever the
   * network computes in.
   */
  default MathModeScope withMathMode(MathMode mode) {
    MathMode before = mathMode();
    setMathMode(mode);
    return () -> setMathMode(before);
  }

  /**
   * The cuDNN/cuBLAS-semantics operations (convolution, GEMM, pooling, activations, LRN, softmax),
   * on this device's buffers and stream, in its math mode. The same object for the device's life;
   * closed with the device.
   */
  DeviceLibrary library();

  /** Frees every buffer this device still owns, then the device itself. Idempotent. */
  @Override
  void close();
}
