package org.featviz.backend;

import java.io.PrintWriter;
import java.util.Collection;
import java.util.Map;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cuda.CudaDevice;
import org.featviz.device.Device;
import org.featviz.device.MathMode;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Tensor;
import org.featviz.plan.DeviceExecutor;

/**
 * Opens a graph on the backend a user names: {@code cpu}, {@code gpu} (fails clearly where no GPU is usable),
 * {@code emulated} (the device plan on the host emulator: slow, for checking), or {@code auto} (the GPU where one
 * is usable, else the CPU, with a note saying why). Devices compute in the {@link MathMode} asked for (FP32 by
 * default; TF32 lets convolutions and GEMMs use tensor cores; BF16 and FP16 give them 16-bit operands with FP32
 * accumulation, mixed precision); the CPU backend always computes in FP32.
 */
public final class Backends {
  public static final String NAMES = "auto, cpu, gpu, emulated";

  private Backends() {}

  public static ForwardBackend open(String device, Graph graph, PrintWriter notes) {
    return open(device, MathMode.FP32, graph, notes);
  }

  /** {@link #open(String, Graph, PrintWriter)} with a device in math mode {@code math}. */
  public static ForwardBackend open(String device, MathMode math, Graph graph, PrintWriter notes) {
    Device d = openDevice(device, math, notes);
    if (d == null) return cpu(graph);
    String kind = device.equals("emulated") ? "emulated" : "gpu";
    return onDevice(d, graph, math == MathMode.FP32 ? kind : kind + ", " + math);
  }

  /**
   * The device that {@code --device} names, by the same policy as {@link #open}: a GPU for {@code gpu} (a
   * {@link ModelException} saying why where none is usable), the host emulator for {@code emulated}, null (the
   * CPU backend) for {@code cpu}, and for {@code auto} the GPU where one is usable, else null after a note to
   * {@code notes} saying why. The caller owns (and closes) the device.
   */
  public static Device openDevice(String device, PrintWriter notes) {
    return openDevice(device, MathMode.FP32, notes);
  }

  /**
   * {@link #openDevice(String, PrintWriter)}, the device set to math mode {@code math}; where the CPU backend is
   * chosen and {@code math} is not FP32, a note says that the CPU computes in FP32.
   */
  public static Device openDevice(String device, MathMode math, PrintWriter notes) {
    Device d = openNamed(device, notes);
    if (d == null) {
      // The devices' default (TF32) needs no note on the CPU: only a mode someone chose does.
      if (math != MathMode.FP32 && math != MathMode.DEVICE_DEFAULT && notes != null) {
        notes.println("--math " + math.name().toLowerCase(java.util.Locale.ROOT)
            + " applies to device backends; the CPU backend computes in FP32");
        notes.flush();
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

  private static Device openNamed(String device, PrintWriter notes) {
    return switch (device) {
      case "cpu" -> null;
      case "gpu" -> {
        if (!CudaDevice.isAvailable()) {
          throw new ModelException("--device gpu: no usable GPU: " + CudaDevice.unavailableReason());
        }
        yield CudaDevice.open();
      }
      case "emulated" -> new EmulatedDevice();
      case "auto" -> {
        if (CudaDevice.isAvailable()) yield CudaDevice.open();
        if (notes != null) {
          notes.println("no usable GPU (" + CudaDevice.unavailableReason() + "): running on the CPU backend");
          notes.flush();
        }
        yield null;
      }
      default -> throw new ModelException("--device " + device + ": unknown backend; known: " + NAMES);
    };
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
