package org.featviz.device.emu;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.featviz.device.AbstractDevice;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceException;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.featviz.device.KernelSignature;

/**
 * A {@link org.featviz.device.Device} on the CPU: device memory is host memory, and the kernels of
 * {@code cuda/*.cu} run in the host emulator (docs/emulator.md), each thread a fiber, one at a time
 * between synchronization points, blocks one after another; library operations (cuDNN/cuBLAS
 * semantics) run the CPU reference kernels on copies of the operands. Every launch finishes before
 * {@code launch} returns; violations of the CUDA execution model that the emulator detects (barrier
 * divergence, warp collectives that cannot complete) throw {@link DeviceException}. Slow: it exists
 * to test kernels, not to run models.
 *
 * <pre>
 * try (Device device = new EmulatedDevice()) { ... }
 * </pre>
 */
public final class EmulatedDevice extends AbstractDevice {
  private final ReferenceLibrary library = new ReferenceLibrary(this);
  private final long memoryLimit;

  public EmulatedDevice() {
    this(Long.MAX_VALUE);
  }

  /**
   * An emulated device with {@code memoryLimitBytes} of "device memory", to exercise out-of-memory
   * handling.
   */
  public EmulatedDevice(long memoryLimitBytes) {
    EmuNative.load();
    this.memoryLimit = memoryLimitBytes;
  }

  @Override
  public long freeMemoryBytes() {
    return memoryLimit == Long.MAX_VALUE
        ? Long.MAX_VALUE
        : Math.max(0, memoryLimit - allocatedBytes());
  }

  /**
   * Adds the kernels of another emulator kernel library (built by cuda/build-emulator.sh without
   * --jni, e.g. the test-only kernels of src/test/cuda) to every EmulatedDevice of this process;
   * returns their names.
   */
  public static List<String> loadKernelLibrary(Path library) {
    EmuNative.load();
    return List.of(EmuNative.loadKernelLibrary(library.toAbsolutePath().toString()));
  }

  /**
   * {@link #loadKernelLibrary(Path)} for a library on the class path, e.g.
   * "/native/linux-x86_64/libx.so".
   */
  public static List<String> loadKernelLibraryResource(String resource) {
    return loadKernelLibrary(EmuNative.resourceFile(resource));
  }

  @Override
  public String name() {
    return "CUDA host emulator";
  }

  @Override
  public List<String> kernelNames() {
    String[] names = EmuNative.kernelNames();
    Arrays.sort(names);
    return List.of(names);
  }

  @Override
  public void synchronize() {
    checkOpen(); // launches and copies are synchronous
  }

  @Override
  protected Allocation allocateMemory(long bytes) {
    long address = EmuNative.alloc(bytes);
    if (address == 0)
      throw new DeviceException("emulator: out of memory allocating " + bytes + " bytes");
    return new Allocation(address, null);
  }

  @Override
  protected void freeMemory(long address, Object handle) {
    EmuNative.free(address);
  }

  @Override
  protected void copyFloatsToDevice(
      float[] src, int srcPos, DeviceBuffer dst, long dstByte, int count) {
    EmuNative.copyFloatsToDevice(src, srcPos, dst.address() + dstByte, count);
  }

  @Override
  protected void copyIntsToDevice(
      int[] src, int srcPos, DeviceBuffer dst, long dstByte, int count) {
    EmuNative.copyIntsToDevice(src, srcPos, dst.address() + dstByte, count);
  }

  @Override
  protected void copyFloatsToHost(
      DeviceBuffer src, long srcByte, float[] dst, int dstPos, int count) {
    EmuNative.copyFloatsToHost(src.address() + srcByte, dst, dstPos, count);
  }

  @Override
  protected void copyIntsToHost(DeviceBuffer src, long srcByte, int[] dst, int dstPos, int count) {
    EmuNative.copyIntsToHost(src.address() + srcByte, dst, dstPos, count);
  }

  @Override
  protected void zeroBytes(DeviceBuffer buffer, long byteOffset, long bytes) {
    EmuNative.memsetZero(buffer.address() + byteOffset, bytes);
  }

  @Override
  protected void copyBytes(
      DeviceBuffer src, long srcByte, DeviceBuffer dst, long dstByte, long bytes) {
    EmuNative.copy(src.address() + srcByte, dst.address() + dstByte, bytes);
  }

  @Override
  protected KernelSignature findKernel(String kernel) {
    String tags = EmuNative.paramTags(kernel);
    return tags == null ? null : KernelSignature.fromTags(kernel, tags);
  }

  @Override
  protected void launchKernel(
      String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
    int[] dims = {grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z()};
    long[] values = new long[args.size()];
    for (int i = 0; i < values.length; i++) values[i] = args.bits(i);
    EmuNative.launch(kernel, dims, sharedBytes, args.tags(), values);
  }

  /**
   * Library operations (convolution, GEMM, ...) run the CPU reference kernels of org.featviz.cpu.
   */
  @Override
  protected DeviceLibrary backendLibrary() {
    return library;
  }

  @Override
  protected void closeDevice(org.featviz.device.Teardown teardown) {
    // Host memory only: the buffers are freed, and the reference library holds nothing.
  }
}
