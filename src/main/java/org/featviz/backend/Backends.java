package org.featviz.backend;

import java.io.PrintWriter;
import java.util.Collection;
import java.util.Map;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cuda.CudaDevice;
import org.featviz.device.Device;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Tensor;
import org.featviz.plan.DeviceExecutor;

/**
 * Opens a graph on the backend a user names: {@code cpu}, {@code gpu} (fails clearly where no GPU is usable),
 * {@code emulated} (the device plan on the host emulator: slow, for checking), or {@code auto} (the GPU where one
 * is usable, else the CPU, with a note saying why).
 */
public final class Backends {
  public static final String NAMES = "auto, cpu, gpu, emulated";

  private Backends() {}

  public static ForwardBackend open(String device, Graph graph, PrintWriter notes) {
    Device d = openDevice(device, notes);
    return d == null ? cpu(graph) : onDevice(d, graph, device.equals("emulated") ? "emulated" : "gpu");
  }

  /**
   * The device that {@code --device} names, by the same policy as {@link #open}: a GPU for {@code gpu} (a
   * {@link ModelException} saying why where none is usable), the host emulator for {@code emulated}, null (the
   * CPU backend) for {@code cpu}, and for {@code auto} the GPU where one is usable, else null after a note to
   * {@code notes} saying why. The caller owns (and closes) the device.
   */
  public static Device openDevice(String device, PrintWriter notes) {
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
