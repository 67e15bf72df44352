package org.featviz.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.featviz.device.AbstractDevice;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.featviz.device.KernelSignature;

/**
 * A {@link org.featviz.device.Device} for testing the CUDA binding without a GPU: its "device
 * memory" is host bytes (little-endian, filled with 0xFF on allocation, so a read of memory nothing
 * wrote is NaN, as uninitialized device memory is garbage), and its library operations are
 * featviz's own {@link CudaLibraries}, {@link Cublas}, {@link Cudnn} and {@link CudnnConvolutions},
 * the classes that run on a GPU, calling {@link FakeCublas} and {@link FakeCudnn} instead of
 * JCublas2 and JCudnn. It has no custom kernels (a launch is refused as an unknown kernel), so the
 * 16-bit math modes, whose conversions are kernels, are tested by calling the library's 16-bit
 * operations directly on staged operands.
 *
 * <p>A wrapper around either fake API (the constructor's operators) sees every call the binding
 * makes and may alter it: the mutation checks wrap a call with a deliberate mistake and show that
 * the comparison against the CPU reference catches it.
 */
final class FakeCudaDevice extends AbstractDevice {
  private static final long ALIGNMENT = 256;

  final FakeCublas cublasFake = new FakeCublas();
  final FakeCudnn cudnnFake = new FakeCudnn();
  private final CublasApi cublasApi;
  private final CudnnApi cudnnApi;
  private long nextAddress = 0x7f00_0000_0000L;
  private volatile boolean deterministic;

  /** The binding's own CudaLibraries, on the fake APIs; no stream to wait for after a step. */
  private final CudaLibraries libraries;

  FakeCudaDevice() {
    this(UnaryOperator.identity(), UnaryOperator.identity());
  }

  FakeCudaDevice(UnaryOperator<CublasApi> cublasWrapper, UnaryOperator<CudnnApi> cudnnWrapper) {
    cublasApi = cublasWrapper.apply(cublasFake);
    cudnnApi = cudnnWrapper.apply(cudnnFake);
    libraries =
        new CudaLibraries(
            () -> new Cublas(this, cublasApi),
            () -> new Cudnn(this, cudnnApi, () -> deterministic),
            step -> {});
  }

  /** The host bytes behind a buffer of a fake device (the whole allocation, position 0). */
  static ByteBuffer memory(DeviceBuffer buffer) {
    if (!(buffer.device() instanceof FakeCudaDevice)) {
      throw new FakeMemory.Fault(buffer + " is not memory of the binding fake");
    }
    if (buffer.isClosed()) throw new FakeMemory.Fault("use of freed device memory " + buffer);
    return (ByteBuffer) handle(buffer);
  }

  Cublas cublas() {
    return libraries.cublas();
  }

  Cudnn cudnn() {
    return libraries.cudnn();
  }

  /** As {@link CudaDevice#setDeterministicAlgorithms}. */
  void setDeterministicAlgorithms(boolean on) {
    deterministic = on;
  }

  @Override
  public String name() {
    return "CUDA binding fake";
  }

  @Override
  public long freeMemoryBytes() {
    return Long.MAX_VALUE;
  }

  @Override
  public List<String> kernelNames() {
    return List.of();
  }

  @Override
  public void synchronize() {
    checkOpen();
  }

  @Override
  protected Allocation allocateMemory(long bytes) {
    if (bytes > Integer.MAX_VALUE)
      throw new IllegalArgumentException("fake device memory: " + bytes + " bytes");
    ByteBuffer memory = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    Arrays.fill(memory.array(), (byte) 0xff);
    long address;
    synchronized (this) {
      address = nextAddress;
      nextAddress += (Math.max(bytes, 1) + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }
    return new Allocation(address, memory);
  }

  @Override
  protected void freeMemory(long address, Object handle) {}

  private static ByteBuffer bytes(DeviceBuffer buffer) {
    return (ByteBuffer) handle(buffer);
  }

  @Override
  protected void copyFloatsToDevice(
      float[] src, int srcPos, DeviceBuffer dst, long dstByte, int count) {
    ByteBuffer m = bytes(dst);
    for (int i = 0; i < count; i++) m.putFloat((int) dstByte + 4 * i, src[srcPos + i]);
  }

  @Override
  protected void copyIntsToDevice(
      int[] src, int srcPos, DeviceBuffer dst, long dstByte, int count) {
    ByteBuffer m = bytes(dst);
    for (int i = 0; i < count; i++) m.putInt((int) dstByte + 4 * i, src[srcPos + i]);
  }

  @Override
  protected void copyFloatsToHost(
      DeviceBuffer src, long srcByte, float[] dst, int dstPos, int count) {
    ByteBuffer m = bytes(src);
    for (int i = 0; i < count; i++) dst[dstPos + i] = m.getFloat((int) srcByte + 4 * i);
  }

  @Override
  protected void copyIntsToHost(DeviceBuffer src, long srcByte, int[] dst, int dstPos, int count) {
    ByteBuffer m = bytes(src);
    for (int i = 0; i < count; i++) dst[dstPos + i] = m.getInt((int) srcByte + 4 * i);
  }

  @Override
  protected void zeroBytes(DeviceBuffer buffer, long byteOffset, long bytes) {
    Arrays.fill(bytes(buffer).array(), (int) byteOffset, (int) (byteOffset + bytes), (byte) 0);
  }

  @Override
  protected void copyBytes(
      DeviceBuffer src, long srcByte, DeviceBuffer dst, long dstByte, long bytes) {
    System.arraycopy(
        bytes(src).array(), (int) srcByte, bytes(dst).array(), (int) dstByte, (int) bytes);
  }

  @Override
  protected KernelSignature findKernel(String kernel) {
    return null; // no custom kernels
  }

  @Override
  protected void launchKernel(
      String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
    throw new UnsupportedOperationException("the binding fake runs no kernels");
  }

  @Override
  protected DeviceLibrary backendLibrary() {
    return libraries;
  }

  @Override
  protected void closeDevice(org.featviz.device.Teardown teardown) {
    teardown.run("closing cuBLAS and cuDNN", libraries::close);
  }
}
