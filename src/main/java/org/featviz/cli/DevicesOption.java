package org.featviz.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.featviz.backend.Backend;
import org.featviz.backend.DeviceSet;
import org.featviz.cuda.CudaDevice;
import org.featviz.ir.ModelException;
import picocli.CommandLine.Option;

/**
 * {@code --devices all|0,2,3|cpu:N|cpu-ref:N|emulated:N}: the devices a sweep shares its chunks
 * over, one worker each. GPUs go by CUDA ordinal ({@code all}: every GPU the driver reports; {@code
 * gpu:0,2} reads as {@code 0,2}); a host backend by its number of workers, each opening its own
 * device (several emulators, to test sharding without a GPU; several CPU workers, which share the
 * CPU's cores). It goes with a {@code --device} of the same kind, or with the default auto.
 */
final class DevicesOption {
  /** The most workers of a host backend: more only multiply memory. */
  static final int MAX_HOST_WORKERS = 64;

  static final String EXPECTED =
      "expected all, GPU ordinals such as 0,2,3, or cpu:N, cpu-ref:N, emulated:N (N workers)";

  @Option(
      names = "--devices",
      paramLabel = "SET",
      description =
          "share the work over several devices, one worker each, pulling chunks from one queue: all"
              + " (every GPU), GPU ordinals such as 0,2,3, or cpu:N, cpu-ref:N, emulated:N (N workers"
              + " of a host backend). Results go to one journal and resume alike. Default: the one"
              + " device of --device")
  String devices;

  /**
   * The devices asked for, checked, or null without --devices; {@code device} is the --device value
   * (it must be auto or name the same kind).
   */
  DeviceSet parse(String device) {
    if (devices == null) return null;
    return parse(devices, device, CudaDevice::count, CudaDevice::unavailableReason);
  }

  /**
   * @param gpus how many GPUs there are (asked only where GPUs are named)
   * @param noGpu why there is none, where there is none
   */
  static DeviceSet parse(String text, String device, IntSupplier gpus, Supplier<String> noGpu) {
    String flag = "--devices " + text;
    String t = text.strip();
    if (t.isEmpty()) throw new ModelException(flag + ": " + EXPECTED);
    int colon = t.indexOf(':');
    Backend kind;
    String rest;
    if (colon < 0) {
      kind = Backend.GPU;
      rest = t;
    } else {
      try {
        kind = Backend.parse(t.substring(0, colon));
      } catch (ModelException e) {
        throw new ModelException(flag + ": " + EXPECTED);
      }
      if (kind == Backend.AUTO) throw new ModelException(flag + ": " + EXPECTED);
      rest = t.substring(colon + 1).strip();
    }
    Backend asked = DeviceOption.parse(device);
    if (asked != Backend.AUTO && asked != kind) {
      throw new ModelException(
          flag
              + " runs on "
              + (kind == Backend.GPU ? "GPUs" : kind.label())
              + " but --device "
              + device
              + " asks for "
              + asked.label()
              + ": leave --device out or make them agree");
    }
    return kind == Backend.GPU ? gpus(flag, rest, gpus, noGpu) : host(flag, kind, rest);
  }

  private static DeviceSet host(String flag, Backend kind, String count) {
    int n;
    try {
      n = Integer.parseInt(count);
    } catch (NumberFormatException e) {
      throw new ModelException(flag + ": expected " + kind.label() + ":N, N a number of workers");
    }
    if (n < 1 || n > MAX_HOST_WORKERS) {
      throw new ModelException(
          flag + ": the number of workers must be 1 to " + MAX_HOST_WORKERS + ", not " + n);
    }
    return DeviceSet.host(kind, n);
  }

  private static DeviceSet gpus(
      String flag, String list, IntSupplier gpus, Supplier<String> noGpu) {
    List<Integer> ordinals = new ArrayList<>();
    boolean all = list.equals("all");
    if (!all) {
      for (String part : list.split(",", -1)) {
        int g;
        try {
          g = Integer.parseInt(part.strip());
        } catch (NumberFormatException e) {
          throw new ModelException(flag + ": " + EXPECTED);
        }
        if (g < 0) throw new ModelException(flag + ": GPU ordinals start at 0, not " + g);
        if (ordinals.contains(g)) throw new ModelException(flag + ": GPU " + g + " is named twice");
        ordinals.add(g);
      }
    }
    int count = gpus.getAsInt();
    if (count == 0) throw new ModelException(flag + ": no usable GPU (" + noGpu.get() + ")");
    if (all) {
      for (int g = 0; g < count; g++) ordinals.add(g);
    }
    for (int g : ordinals) {
      if (g >= count) {
        throw new ModelException(
            flag
                + ": there is no GPU "
                + g
                + "; this host has "
                + (count == 1 ? "1 GPU (0)" : count + " GPUs (0-" + (count - 1) + ")"));
      }
    }
    return new DeviceSet(Backend.GPU, ordinals);
  }
}
