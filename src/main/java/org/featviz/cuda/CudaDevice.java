package org.featviz.cuda;

import static org.featviz.cuda.CudaStatus.check;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.featviz.device.AbstractDevice;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.featviz.device.KernelSignature;
import org.featviz.device.Teardown;

/**
 * A {@link org.featviz.device.Device} on an NVIDIA GPU through JCuda's driver API: the device's
 * primary context (shared with cuBLAS and cuDNN, which use the runtime API), one stream for
 * kernels, memsets, device copies and the library operations ({@link CudaLibraries}: cuBLAS and
 * cuDNN on the same stream), and the custom kernels from the PTX resources (JIT-compiled by the
 * driver when first launched). Host copies use pageable Java arrays, so they wait for the stream
 * first and are synchronous. Every driver status goes through {@link CudaStatus#check}, so a
 * failure is a {@link CudaException} naming the call. With {@link SyncLaunch} on ({@code
 * FEATVIZ_SYNC_LAUNCH=1}) the stream is synchronized after each launch and library step, so an
 * asynchronous fault is reported by the step that caused it. {@link #close()} is best effort (see
 * {@link CudaTeardown}): every handle is destroyed whatever fails, and after a sticky error the
 * primary context is reset.
 *
 * <pre>
 * if (CudaDevice.isAvailable()) {
 *   try (Device gpu = CudaDevice.open()) { ... }
 * }
 * </pre>
 */
public final class CudaDevice extends AbstractDevice {
  /**
   * The system property ({@code true} or {@code false}, default false) that a CudaDevice's {@link
   * #deterministicAlgorithms()} starts from: {@code -Dfeatviz.cudnn.deterministic=true}.
   */
  public static final String DETERMINISTIC_PROPERTY = "featviz.cudnn.deterministic";

  private static Boolean available;
  private static String unavailableReason;

  private final CUdevice device = new CUdevice();
  private final CUcontext context = new CUcontext();
  private final CUstream stream = new CUstream();
  private final String name;
  private final Map<String, PtxModule> moduleOfKernel = new HashMap<>();
  private final Map<String, CUmodule> loadedModules = new HashMap<>();
  private final Map<String, CUfunction> functions = new HashMap<>();
  private CudaLibraries libraries;
  private final boolean syncLaunch = SyncLaunch.enabled();

  /**
   * Set by prepareClose: buffers are then freed without waiting for the stream again, or not at all
   * if sticky.
   */
  private volatile boolean closing;

  private volatile boolean stickyAtClose;
  private volatile boolean deterministic = Boolean.getBoolean(DETERMINISTIC_PROPERTY);

  /** A CUdeviceptr whose address can be read (JCuda keeps it protected). */
  private static final class DevicePointer extends CUdeviceptr {
    long address() {
      return getNativePointer();
    }
  }

  private CudaDevice(int ordinal) {
    check(JCudaDriver.cuInit(0), "cuInit");
    check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
    byte[] nameBytes = new byte[256];
    check(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device), "cuDeviceGetName");
    int length = 0;
    while (length < nameBytes.length && nameBytes[length] != 0) length++;
    name =
        new String(nameBytes, 0, length, StandardCharsets.UTF_8) + " (CUDA device " + ordinal + ")";
    check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
    bind();
    check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
    for (PtxModule module : PtxModule.loadAll()) {
      for (String kernel : module.kernels().keySet()) moduleOfKernel.put(kernel, module);
    }
  }

  /** Device 0. */
  public static CudaDevice open() {
    return open(0);
  }

  public static CudaDevice open(int ordinal) {
    return new CudaDevice(ordinal);
  }

  /**
   * How many GPUs the driver reports (CUDA ordinals 0 to count - 1), 0 where {@link #isAvailable()}
   * is false. Never throws.
   */
  public static synchronized int count() {
    if (!isAvailable()) return 0;
    int[] count = {0};
    try {
      return JCudaDriver.cuDeviceGetCount(count) == 0 ? count[0] : 0;
    } catch (LinkageError | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Whether a CUDA driver and at least one GPU are present. Never throws: false where JCuda's
   * native library or libcuda.so.1 cannot be loaded, or the driver reports no device. The answer is
   * computed once.
   */
  public static synchronized boolean isAvailable() {
    if (available == null) available = probe();
    return available;
  }

  /**
   * Why {@link #isAvailable()} is false (a sentence naming what is missing), or null where a GPU is
   * available.
   */
  public static synchronized String unavailableReason() {
    isAvailable();
    return unavailableReason;
  }

  private static boolean probe() {
    try {
      int status = JCudaDriver.cuInit(0);
      if (status != 0) {
        unavailableReason =
            "the CUDA driver reports " + jcuda.driver.CUresult.stringFor(status) + " at cuInit";
        return false;
      }
      int[] count = {0};
      status = JCudaDriver.cuDeviceGetCount(count);
      if (status != 0 || count[0] == 0) {
        unavailableReason =
            status != 0
                ? "cuDeviceGetCount failed: " + jcuda.driver.CUresult.stringFor(status)
                : "the CUDA driver reports no GPU";
        return false;
      }
      return true;
    } catch (LinkageError | RuntimeException e) {
      // no JCuda native for this platform, no libcuda.so.1, or exceptions enabled and a failure
      unavailableReason = describeLoadFailure(e);
      return false;
    }
  }

  /** One sentence from JCuda's load error, whose message holds whole stack traces. */
  private static String describeLoadFailure(Throwable e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("libcuda.so.1")) {
      return "no CUDA driver: libcuda.so.1 is not installed (JCuda's driver binding needs it)";
    }
    String first = message.lines().findFirst().orElse(message).strip();
    return "the CUDA driver binding could not be loaded: "
        + e.getClass().getSimpleName()
        + ": "
        + first;
  }

  /** The driver's CUDA version as cuDriverGetVersion reports it, e.g. 13000 for 13.0. */
  public static int driverVersion() {
    int[] v = {0};
    check(JCudaDriver.cuDriverGetVersion(v), "cuDriverGetVersion");
    return v[0];
  }

  /**
   * Whether cuDNN runs only algorithms it documents as deterministic: convolutions take the fastest
   * cudnnFind result reporting CUDNN_DETERMINISTIC (backward data's fastest, which sums with
   * atomics, is not), and max pooling uses CUDNN_POOLING_MAX_DETERMINISTIC. Then repeating a call
   * gives the same bits; results still differ by float rounding between batch sizes (another
   * geometry may choose another algorithm) and between GPUs and library versions. Off by default
   * (the fastest algorithms); {@link #DETERMINISTIC_PROPERTY} turns it on for a process.
   */
  public boolean deterministicAlgorithms() {
    return deterministic;
  }

  /**
   * Sets {@link #deterministicAlgorithms()}. Calls from then on follow it: algorithm choices are
   * cached per setting, so a convolution prepared under the other one finds its algorithm again on
   * first use.
   */
  public void setDeterministicAlgorithms(boolean on) {
    checkOpen();
    deterministic = on;
  }

  /** The compute capability, e.g. "9.0". */
  public String computeCapability() {
    int[] major = {0};
    int[] minor = {0};
    check(
        JCudaDriver.cuDeviceGetAttribute(
            major,
            jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
            device),
        "cuDeviceGetAttribute");
    check(
        JCudaDriver.cuDeviceGetAttribute(
            minor,
            jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
            device),
        "cuDeviceGetAttribute");
    return major[0] + "." + minor[0];
  }

  @Override
  public long freeMemoryBytes() {
    checkOpen();
    bind();
    long[] free = {0};
    long[] total = {0};
    check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
    return free[0];
  }

  /** Total device memory in bytes. */
  public long totalMemoryBytes() {
    long[] bytes = {0};
    check(JCudaDriver.cuDeviceTotalMem(bytes, device), "cuDeviceTotalMem");
    return bytes[0];
  }

  /** cuBLAS's version (MAJOR*10000 + MINOR*100 + PATCH); loads cuBLAS. */
  public int cublasVersion() {
    checkOpen();
    return libraries().cublas().version();
  }

  /** cuDNN's version as cudnnGetVersion reports it (91400 for 9.14.0); loads cuDNN. */
  public long cudnnVersion() {
    checkOpen();
    libraries().cudnn();
    return Cudnn.version();
  }

  /**
   * Makes this device's context current on the calling thread (a context is current per thread).
   */
  void bind() {
    check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
  }

  private void waitForStream(String why) {
    check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize (before " + why + ")");
  }

  /** Whether this device synchronizes after every step ({@link SyncLaunch}). */
  public boolean syncLaunch() {
    return syncLaunch;
  }

  /**
   * In synchronous-launch mode, waits for the stream and names {@code step} if it failed; otherwise
   * nothing. Called after each asynchronous operation: kernel launches, memsets, device copies,
   * cuBLAS and cuDNN calls.
   */
  void afterStep(String step) {
    if (!syncLaunch) return;
    check(
        JCudaDriver.cuStreamSynchronize(stream),
        step + " (synchronized after it: " + SyncLaunch.ENV + ")");
  }

  private static CUdeviceptr at(DeviceBuffer buffer, long byteOffset) {
    return ((DevicePointer) handle(buffer)).withByteOffset(byteOffset);
  }

  /** A buffer's device address plus an offset, as the pointer JCublas2 and JCudnn take. */
  Pointer pointer(DeviceBuffer buffer, long byteOffset) {
    return at(buffer, byteOffset);
  }

  /**
   * The device's stream as the runtime API (cuBLAS, cuDNN) names it, so library calls keep stream
   * order.
   */
  jcuda.runtime.cudaStream_t runtimeStream() {
    return new jcuda.runtime.cudaStream_t(stream);
  }

  /** cuBLAS and cuDNN (handles created on first use; see CudaLibraries). */
  private synchronized CudaLibraries libraries() {
    if (libraries == null) libraries = CudaLibraries.of(this);
    return libraries;
  }

  @Override
  protected org.featviz.device.DeviceLibrary backendLibrary() {
    return libraries();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> kernelNames() {
    List<String> names = new ArrayList<>(moduleOfKernel.keySet());
    names.sort(null);
    return names;
  }

  /**
   * Times {@code runs} runs of {@code work} (operations it issues on this device's stream) with a
   * pair of CUDA events around each, in milliseconds; {@code between} runs before each run, outside
   * the events (the kernel benchmarks flush the L2 cache there). Waits for each run's stop event.
   */
  public float[] eventTimesMillis(Runnable between, Runnable work, int runs) {
    checkOpen();
    bind();
    CUevent start = new CUevent();
    CUevent stop = new CUevent();
    check(JCudaDriver.cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
    try {
      check(JCudaDriver.cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
      try {
        float[] millis = new float[runs];
        float[] elapsed = new float[1];
        for (int r = 0; r < runs; r++) {
          between.run();
          bind();
          check(JCudaDriver.cuEventRecord(start, stream), "cuEventRecord");
          work.run();
          bind();
          check(JCudaDriver.cuEventRecord(stop, stream), "cuEventRecord");
          check(JCudaDriver.cuEventSynchronize(stop), "cuEventSynchronize (a timed run failed)");
          check(JCudaDriver.cuEventElapsedTime(elapsed, start, stop), "cuEventElapsedTime");
          millis[r] = elapsed[0];
        }
        return millis;
      } finally {
        JCudaDriver.cuEventDestroy(stop);
      }
    } finally {
      JCudaDriver.cuEventDestroy(start);
    }
  }

  @Override
  public void synchronize() {
    checkOpen();
    bind();
    check(
        JCudaDriver.cuStreamSynchronize(stream),
        "cuStreamSynchronize (a kernel launched earlier may have failed)");
  }

  @Override
  protected Allocation allocateMemory(long bytes) {
    bind();
    DevicePointer pointer = new DevicePointer();
    check(JCudaDriver.cuMemAlloc(pointer, Math.max(bytes, 1)), "cuMemAlloc(" + bytes + " bytes)");
    return new Allocation(pointer.address(), pointer);
  }

  @Override
  protected void freeMemory(long address, Object handle) {
    if (closing) {
      // prepareClose waited for the stream already; after a sticky error every cuMemFree would fail
      // the same way,
      // and the context reset at the end of close frees everything.
      if (stickyAtClose) return;
    } else {
      bind();
      waitForStream("cuMemFree"); // a kernel still running may use the buffer
    }
    check(JCudaDriver.cuMemFree((DevicePointer) handle), "cuMemFree");
  }

  @Override
  protected void copyFloatsToDevice(
      float[] src, int srcPos, DeviceBuffer dst, long dstByte, int count) {
    toDevice(Pointer.to(src), srcPos, dst, dstByte, count);
  }

  @Override
  protected void copyIntsToDevice(
      int[] src, int srcPos, DeviceBuffer dst, long dstByte, int count) {
    toDevice(Pointer.to(src), srcPos, dst, dstByte, count);
  }

  @Override
  protected void copyFloatsToHost(
      DeviceBuffer src, long srcByte, float[] dst, int dstPos, int count) {
    toHost(src, srcByte, Pointer.to(dst), dstPos, count);
  }

  @Override
  protected void copyIntsToHost(DeviceBuffer src, long srcByte, int[] dst, int dstPos, int count) {
    toHost(src, srcByte, Pointer.to(dst), dstPos, count);
  }

  /**
   * {@code count} 4-byte elements (floats or ints) of a host array from element {@code pos}, after
   * the stream.
   */
  private void toDevice(Pointer host, int pos, DeviceBuffer dst, long dstByte, int count) {
    bind();
    waitForStream("cuMemcpyHtoD");
    check(
        JCudaDriver.cuMemcpyHtoD(at(dst, dstByte), host.withByteOffset(4L * pos), 4L * count),
        "cuMemcpyHtoD");
  }

  /** {@code count} 4-byte elements into a host array from element {@code pos}, after the stream. */
  private void toHost(DeviceBuffer src, long srcByte, Pointer host, int pos, int count) {
    bind();
    waitForStream("cuMemcpyDtoH");
    check(
        JCudaDriver.cuMemcpyDtoH(host.withByteOffset(4L * pos), at(src, srcByte), 4L * count),
        "cuMemcpyDtoH");
  }

  @Override
  protected void zeroBytes(DeviceBuffer buffer, long byteOffset, long bytes) {
    bind();
    check(
        JCudaDriver.cuMemsetD8Async(at(buffer, byteOffset), (byte) 0, bytes, stream),
        "cuMemsetD8Async");
    afterStep("cuMemsetD8Async(" + bytes + " bytes)");
  }

  @Override
  protected void copyBytes(
      DeviceBuffer src, long srcByte, DeviceBuffer dst, long dstByte, long bytes) {
    bind();
    check(
        JCudaDriver.cuMemcpyDtoDAsync(at(dst, dstByte), at(src, srcByte), bytes, stream),
        "cuMemcpyDtoDAsync");
    afterStep("cuMemcpyDtoDAsync(" + bytes + " bytes)");
  }

  @Override
  protected KernelSignature findKernel(String kernel) {
    PtxModule module = moduleOfKernel.get(kernel);
    return module == null ? null : module.kernels().get(kernel);
  }

  /** The kernel's function, loading (JIT-compiling) its PTX module on first use. */
  private synchronized CUfunction function(String kernel) {
    CUfunction function = functions.get(kernel);
    if (function != null) return function;
    PtxModule module = moduleOfKernel.get(kernel);
    CUmodule loaded = loadedModules.get(module.name());
    if (loaded == null) {
      loaded = PtxJit.load(module);
      loadedModules.put(module.name(), loaded);
    }
    function = new CUfunction();
    check(
        JCudaDriver.cuModuleGetFunction(function, loaded, kernel),
        "cuModuleGetFunction(" + kernel + ")");
    functions.put(kernel, function);
    return function;
  }

  @Override
  protected void launchKernel(
      String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
    bind();
    CUfunction function = function(kernel);
    // cuLaunchKernel takes a pointer to one pointer per parameter, each to the parameter's value.
    NativePointerObject[] values = new NativePointerObject[args.size()];
    for (int i = 0; i < values.length; i++) {
      long bits = args.bits(i);
      values[i] =
          switch (args.kind(i)) {
            case PTR, I64 -> Pointer.to(new long[] {bits});
            case I32 -> Pointer.to(new int[] {(int) bits});
            case F32 -> Pointer.to(new float[] {Float.intBitsToFloat((int) bits)});
          };
    }
    check(
        JCudaDriver.cuLaunchKernel(
            function,
            grid.x(),
            grid.y(),
            grid.z(),
            block.x(),
            block.y(),
            block.z(),
            sharedBytes,
            stream,
            Pointer.to(values),
            null),
        "cuLaunchKernel(" + kernel + ")");
    afterStep("kernel " + kernel + " (grid " + grid + ", block " + block + ")");
  }

  @Override
  protected void prepareClose(Teardown teardown) {
    stickyAtClose = CudaTeardown.prepare(teardownSteps(), teardown);
    closing = true;
  }

  @Override
  protected void closeDevice(Teardown teardown) {
    CudaTeardown.finish(teardownSteps(), teardown, stickyAtClose);
  }

  /**
   * The driver calls of {@link CudaTeardown}, on this device's context, stream, modules and
   * libraries.
   */
  private CudaTeardown.Steps teardownSteps() {
    return new CudaTeardown.Steps() {
      @Override
      public int setCurrent() {
        return JCudaDriver.cuCtxSetCurrent(context);
      }

      @Override
      public int synchronize() {
        return JCudaDriver.cuStreamSynchronize(stream);
      }

      @Override
      public void closeLibraries() {
        CudaLibraries open;
        synchronized (CudaDevice.this) {
          open = libraries;
        }
        if (open != null) open.close();
      }

      @Override
      public List<String> modules() {
        synchronized (CudaDevice.this) {
          return new ArrayList<>(loadedModules.keySet());
        }
      }

      @Override
      public int unloadModule(String module) {
        CUmodule loaded;
        synchronized (CudaDevice.this) {
          loaded = loadedModules.remove(module);
        }
        return loaded == null ? 0 : JCudaDriver.cuModuleUnload(loaded);
      }

      @Override
      public int destroyStream() {
        return JCudaDriver.cuStreamDestroy(stream);
      }

      @Override
      public int resetPrimaryContext() {
        return JCudaDriver.cuDevicePrimaryCtxReset(device);
      }

      @Override
      public int releasePrimaryContext() {
        return JCudaDriver.cuDevicePrimaryCtxRelease(device);
      }
    };
  }
}
