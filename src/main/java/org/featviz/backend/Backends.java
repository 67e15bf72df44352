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
    return switch (device) {
      case "cpu" -> cpu(graph);
      case "gpu" -> {
        if (!CudaDevice.isAvailable()) {
          throw new ModelException("--device gpu: no usable GPU: " + CudaDevice.unavailableReason());
        }
        yield onDevice(CudaDevice.open(), graph, "gpu");
      }
      case "emulated" -> onDevice(new EmulatedDevice(), graph, "emulated");
      case "auto" -> {
        if (CudaDevice.isAvailable()) yield onDevice(CudaDevice.open(), graph, "gpu");
        notes.println("no usable GPU (" + CudaDevice.unavailableReason() + "): running on the CPU backend");
        notes.flush();
        yield cpu(graph);
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
