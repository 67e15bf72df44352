package org.featviz.backend;

import java.util.Collection;
import java.util.Map;
import org.featviz.cpu.Blas;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cpu.CpuKernels;
import org.featviz.cuda.CudaDevice;
import org.featviz.device.Device;
import org.featviz.device.MathMode;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.ir.Graph;
import org.featviz.ir.Tensor;
import org.featviz.plan.DeviceExecutor;

/**
 * Opens a graph on the backend a user names: {@code cpu}, {@code gpu} (fails clearly where no GPU
 * is usable), {@code emulated} (the device plan on the host emulator: slow, for checking), or
 * {@code auto} (the GPU where one is usable, else the CPU, with a note saying why). Devices compute
 * in the {@link MathMode} asked for (FP32 by default; TF32 lets convolutions and GEMMs use tensor
 * cores; BF16 and FP16 give them 16-bit operands with FP32 accumulation, mixed precision); the CPU
 * backend always computes in FP32.
 */
public final class Backends {
  /**
   * Notes for the user (which backend was chosen and why) go to this logger; the CLI prints them as
   * plain lines.
   */
  static final System.Logger LOG = System.getLogger("org.featviz");

  private Backends() {}

  /** {@link #open(Backend, MathMode, Graph)} in FP32. */
  public static ForwardBackend open(Backend backend, Graph graph) {
    return open(backend, MathMode.FP32, graph);
  }

  /**
   * A forward-only backend for {@code graph} on {@code backend}, a device in math mode {@code
   * math}.
   */
  public static ForwardBackend open(Backend backend, MathMode math, Graph graph) {
    Device d = openDevice(backend, math);
    if (d == null) return cpu(graph);
    String kind = backend == Backend.EMULATED ? "emulated" : "gpu";
    return onDevice(d, graph, math == MathMode.FP32 ? kind : kind + ", " + math);
  }

  /** {@link #openDevice(Backend, MathMode)} in FP32. */
  public static Device openDevice(Backend backend) {
    return openDevice(backend, MathMode.FP32);
  }

  /**
   * The device of {@code backend}, set to math mode {@code math}: a GPU for GPU (a {@link
   * DeviceUnavailableException} saying why where none is usable), the host emulator for EMULATED,
   * null (the CPU backend) for CPU, and for AUTO the GPU where one is usable, else null after a
   * note in the log saying why. Where the CPU backend is chosen and {@code math} was chosen too
   * (not FP32 or the devices' default), a note says that the CPU computes in FP32. The caller owns
   * (and closes) the device.
   */
  public static Device openDevice(Backend backend, MathMode math) {
    return openDevice(backend, math, 0);
  }

  /**
   * {@link #openDevice(Backend, MathMode)} on GPU {@code ordinal} (a CUDA device ordinal) where the
   * backend is a GPU; the other backends have one device and ignore it.
   */
  public static Device openDevice(Backend backend, MathMode math, int ordinal) {
    Device d = openNamed(backend, ordinal);
    if (d == null) {
      // The devices' default (TF32) needs no note on the CPU: only a mode someone chose does.
      if (math != MathMode.FP32 && math != MathMode.DEVICE_DEFAULT) {
        LOG.log(
            System.Logger.Level.INFO,
            "math mode "
                + math.name().toLowerCase(java.util.Locale.ROOT)
                + " applies to device backends; the CPU backend computes in FP32");
      }
      return null;
    }
    try {
      d.setMathMode(math);
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  private static Device openNamed(Backend backend, int ordinal) {
    return switch (backend) {
      case CPU -> {
        noteJavaKernels();
        yield null;
      }
      case CPU_REF -> {
        CpuKernels.useReference(true);
        yield null;
      }
      case GPU -> {
        if (!CudaDevice.isAvailable()) {
          throw new DeviceUnavailableException("no usable GPU: " + CudaDevice.unavailableReason());
        }
        yield CudaDevice.open(ordinal);
      }
      case EMULATED -> new EmulatedDevice();
      case AUTO -> {
        if (CudaDevice.isAvailable()) yield CudaDevice.open(ordinal);
        LOG.log(
            System.Logger.Level.INFO,
            "no usable GPU (" + CudaDevice.unavailableReason() + "): running on the CPU backend");
        noteJavaKernels();
        yield null;
      }
    };
  }

  private static boolean notedJavaKernels;

  /** Once per process where OpenBLAS did not load: the CPU backend runs its Java kernels. */
  private static synchronized void noteJavaKernels() {
    if (Blas.available() || notedJavaKernels) return;
    notedJavaKernels = true;
    LOG.log(
        System.Logger.Level.INFO,
        Blas.unavailableReason() + ": the CPU backend runs its Java kernels (slower)");
  }

  private static ForwardBackend cpu(Graph graph) {
    CpuExecutor exec = new CpuExecutor(graph);
    return new ForwardBackend() {
      @Override
      public Map<String, Tensor> forward(Map<String, Tensor> feeds, Collection<String> targets) {
        return exec.forward(feeds, targets).values();
      }

      @Override
      public String describe() {
        return "cpu";
      }

      @Override
      public void close() {}
    };
  }

  private static ForwardBackend onDevice(Device device, Graph graph, String kind) {
    DeviceExecutor exec;
    try {
      exec = DeviceExecutor.forwardOnly(device, graph);
    } catch (RuntimeException e) {
      device.close();
      throw e;
    }
    return new ForwardBackend() {
      @Override
      public Map<String, Tensor> forward(Map<String, Tensor> feeds, Collection<String> targets) {
        return exec.forward(feeds, targets);
      }

      @Override
      public String describe() {
        return kind + " (" + device.name() + ")";
      }

      @Override
      public void close() {
        exec.close();
        device.close();
      }
    };
  }
}
