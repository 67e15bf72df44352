package org.featviz.device;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every {@link Device} shares: it owns its buffers (closing the device frees them), and it
 * checks every call before a backend sees it: the device and buffers are open and belong to it,
 * host and device ranges are in bounds, the kernel exists and the arguments match its parameters,
 * the launch fits CUDA's limits, and library operations get their operands ({@link
 * CheckedLibrary}). Backends implement only the unchecked primitives below and an unchecked {@link
 * DeviceLibrary}, so the GPU and emulator behave alike on misuse, and the checks are tested in CI
 * through the emulator.
 */
public abstract class AbstractDevice implements Device {
  /**
   * A backend's allocation: the device address, and whatever else the backend needs to address or
   * free it.
   */
  protected record Allocation(long address, Object handle) {
    public Allocation {} // callable from backends in other packages
  }

  private final Set<DeviceBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
  private long liveBytes;
  private final Map<String, KernelSignature> signatures = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile MathMode mathMode = MathMode.FP32;
  private final DeviceLibrary library = new CheckedLibrary(this);

  // ---- Backend primitives: arguments already checked; offsets in bytes
  // ----------------------------------------

  protected abstract Allocation allocateMemory(long bytes);

  protected abstract void freeMemory(long address, Object handle);

  protected abstract void copyFloatsToDevice(
      float[] src, int srcPos, DeviceBuffer dst, long dstByte, int count);

  protected abstract void copyIntsToDevice(
      int[] src, int srcPos, DeviceBuffer dst, long dstByte, int count);

  protected abstract void copyFloatsToHost(
      DeviceBuffer src, long srcByte, float[] dst, int dstPos, int count);

  protected abstract void copyIntsToHost(
      DeviceBuffer src, long srcByte, int[] dst, int dstPos, int count);

  protected abstract void zeroBytes(DeviceBuffer buffer, long byteOffset, long bytes);

  protected abstract void copyBytes(
      DeviceBuffer src, long srcByte, DeviceBuffer dst, long dstByte, long bytes);

  /** The kernel's parameters, or null when this device has no such kernel. */
  protected abstract KernelSignature findKernel(String kernel);

  protected abstract void launchKernel(
      String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

  /**
   * The first step of {@link #close()}, before any buffer is freed (a GPU waits for its stream
   * here, once). Failures go into {@code teardown}; the buffers are freed and {@link #closeDevice}
   * runs whatever happens here.
   */
  protected void prepareClose(Teardown teardown) {}

  /**
   * Releases the device itself, after every buffer was offered to {@link #freeMemory}. Each step
   * runs through {@code teardown}, so that one failure does not keep the later handles alive.
   */
  protected abstract void closeDevice(Teardown teardown);

  /**
   * The backend's library operations (created lazily where that is costly), called by {@link
   * #library()} after its checks; the backend releases it in {@link #closeDevice}.
   */
  protected abstract DeviceLibrary backendLibrary();

  /** The backend's handle of a buffer (see {@link Allocation}). */
  protected static Object handle(DeviceBuffer buffer) {
    return buffer.handle;
  }

  // ---- Checked operations
  // -----------------------------------------------------------------------------------

  /** Bytes held by this device's live buffers. */
  protected final long allocatedBytes() {
    synchronized (live) {
      return liveBytes;
    }
  }

  @Override
  public final DeviceBuffer allocate(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("negative allocation: " + bytes + " bytes");
    checkOpen();
    Allocation a = allocateMemory(bytes);
    DeviceBuffer buffer = new DeviceBuffer(this, a.address(), bytes, a.handle());
    synchronized (live) {
      live.add(buffer);
      liveBytes += bytes;
    }
    return buffer;
  }

  /** Frees a buffer once; called by {@link DeviceBuffer#close()}. */
  final void release(DeviceBuffer buffer) {
    if (!buffer.markClosed()) return;
    synchronized (live) {
      if (live.remove(buffer)) liveBytes -= buffer.bytes();
    }
    freeMemory(buffer.rawAddress(), buffer.handle);
  }

  @Override
  public final void copyToDevice(
      float[] src, int srcPos, DeviceBuffer dst, long dstPos, int count) {
    Objects.checkFromIndexSize(srcPos, count, src.length);
    copyFloatsToDevice(src, srcPos, dst, byteRange(dst, dstPos, count, Float.BYTES), count);
  }

  @Override
  public final void copyToDevice(int[] src, int srcPos, DeviceBuffer dst, long dstPos, int count) {
    Objects.checkFromIndexSize(srcPos, count, src.length);
    copyIntsToDevice(src, srcPos, dst, byteRange(dst, dstPos, count, Integer.BYTES), count);
  }

  @Override
  public final void copyToHost(DeviceBuffer src, long srcPos, float[] dst, int dstPos, int count) {
    Objects.checkFromIndexSize(dstPos, count, dst.length);
    copyFloatsToHost(src, byteRange(src, srcPos, count, Float.BYTES), dst, dstPos, count);
  }

  @Override
  public final void copyToHost(DeviceBuffer src, long srcPos, int[] dst, int dstPos, int count) {
    Objects.checkFromIndexSize(dstPos, count, dst.length);
    copyIntsToHost(src, byteRange(src, srcPos, count, Integer.BYTES), dst, dstPos, count);
  }

  @Override
  public final void memsetZero(DeviceBuffer buffer, long byteOffset, long bytes) {
    zeroBytes(buffer, byteRange(buffer, byteOffset, bytes, 1), bytes);
  }

  @Override
  public final void copy(
      DeviceBuffer src, long srcByteOffset, DeviceBuffer dst, long dstByteOffset, long bytes) {
    byteRange(src, srcByteOffset, bytes, 1);
    byteRange(dst, dstByteOffset, bytes, 1);
    if (src == dst
        && srcByteOffset < dstByteOffset + bytes
        && dstByteOffset < srcByteOffset + bytes
        && bytes > 0) {
      throw new IllegalArgumentException(
          "overlapping device copy within one buffer: bytes ["
              + srcByteOffset
              + ", "
              + (srcByteOffset + bytes)
              + ") to ["
              + dstByteOffset
              + ", "
              + (dstByteOffset + bytes)
              + ")");
    }
    copyBytes(src, srcByteOffset, dst, dstByteOffset, bytes);
  }

  @Override
  public final KernelSignature kernelSignature(String kernel) {
    checkOpen();
    KernelSignature signature = signatures.computeIfAbsent(kernel, this::findKernel);
    if (signature == null) {
      throw new IllegalArgumentException(
          "unknown kernel '" + kernel + "'; known kernels: " + kernelNames());
    }
    return signature;
  }

  @Override
  public final void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
    kernelSignature(kernel).check(args);
    checkLaunchShape(kernel, grid, block, sharedBytes);
    for (int i = 0; i < args.size(); i++) {
      DeviceBuffer buffer = args.buffer(i);
      if (buffer == null) continue;
      if (buffer.isClosed()) {
        throw new IllegalStateException(
            "kernel '" + kernel + "': argument " + i + " is a closed device buffer");
      }
      checkOwned(buffer);
    }
    launchKernel(kernel, grid, block, sharedBytes, args);
  }

  private static void checkLaunchShape(String kernel, Dim3 grid, Dim3 block, int sharedBytes) {
    if (block.volume() > MAX_BLOCK_THREADS || block.z() > 64) {
      throw new IllegalArgumentException(
          "kernel '"
              + kernel
              + "': block "
              + block
              + " has "
              + block.volume()
              + " threads; at most "
              + MAX_BLOCK_THREADS
              + ", and z at most 64");
    }
    if (grid.y() > 65535 || grid.z() > 65535) {
      throw new IllegalArgumentException(
          "kernel '" + kernel + "': grid " + grid + " exceeds 65535 in y or z");
    }
    if (sharedBytes < 0 || sharedBytes > MAX_DYNAMIC_SHARED_BYTES) {
      throw new IllegalArgumentException(
          "kernel '"
              + kernel
              + "': "
              + sharedBytes
              + " bytes of dynamic shared memory; 0 to "
              + MAX_DYNAMIC_SHARED_BYTES
              + " allowed");
    }
  }

  // ---- Math mode and library
  // -----------------------------------------------------------------------------------

  @Override
  public final MathMode mathMode() {
    return mathMode;
  }

  @Override
  public final void setMathMode(MathMode mode) {
    checkOpen();
    mathMode = Objects.requireNonNull(mode, "math mode");
  }

  /** The backend's library, behind the checks of {@link CheckedLibrary}. */
  @Override
  public final DeviceLibrary library() {
    return library;
  }

  /**
   * Checks that elements [pos, pos + count) of `elementBytes` bytes lie in the open buffer; returns
   * pos in bytes.
   */
  private long byteRange(DeviceBuffer buffer, long pos, long count, int elementBytes) {
    checkOpen();
    checkOwned(buffer);
    buffer.checkOpen();
    long capacity = buffer.bytes() / elementBytes;
    if (pos < 0 || count < 0 || pos > capacity - count) {
      String unit = elementBytes == 1 ? "bytes" : "elements of " + elementBytes + " bytes";
      throw new IndexOutOfBoundsException(
          unit
              + " ["
              + pos
              + ", "
              + (pos + count)
              + ") outside a device buffer of "
              + buffer.bytes()
              + " bytes");
    }
    return pos * elementBytes;
  }

  final void checkOwned(DeviceBuffer buffer) {
    if (buffer.device() != this) {
      throw new IllegalArgumentException(
          buffer + " belongs to another device (" + buffer.device().name() + ")");
    }
  }

  protected final void checkOpen() {
    if (closed) throw new IllegalStateException(name() + " used after close");
  }

  public final boolean isClosed() {
    return closed;
  }

  /**
   * Frees every buffer and releases the device, best effort: each buffer and each of the backend's
   * steps is tried even when an earlier one failed (after a device fault most of them do), and then
   * one DeviceException lists every failure. Idempotent; the device counts as closed even when the
   * exception is thrown.
   */
  @Override
  public final void close() {
    if (closed) return;
    closed = true;
    Teardown teardown = new Teardown("closing " + name());
    teardown.run("preparing to close", () -> prepareClose(teardown));
    List<DeviceBuffer> remaining;
    synchronized (live) {
      remaining = new ArrayList<>(live);
    }
    for (DeviceBuffer buffer : remaining) teardown.run("freeing " + buffer, () -> release(buffer));
    closeDevice(teardown);
    teardown.finish();
  }
}
