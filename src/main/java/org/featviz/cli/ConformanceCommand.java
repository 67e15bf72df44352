package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.featviz.backend.Backends;
import org.featviz.conformance.ConformanceBackend;
import org.featviz.conformance.ConformanceCase;
import org.featviz.conformance.ConformanceRunner;
import org.featviz.device.Device;
import org.featviz.device.MathMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code featviz conformance DIR...}: runs ONNX backend test cases and compares every output. */
@Command(
    name = "conformance",
    description =
        "Run ONNX backend test cases (folders with model.onnx and test_data_set_N) and compare outputs"
            + " (relative tolerance 1e-4, absolute 1e-5).")
final class ConformanceCommand extends FeatvizCommand {
  @Parameters(
      paramLabel = "DIR",
      arity = "1..*",
      description =
          "a case folder, or a folder of case folders such as /usr/share/libonnx-testdata/data/node")
  List<Path> dirs;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description =
          "backend: cpu (default), emulated (device plans on the CUDA host emulator), gpu (device plans"
              + " on the first GPU, through cuDNN, cuBLAS and the custom kernels), auto (the GPU where usable, else the"
              + " CPU with a note)")
  String device;

  @Mixin MathOption math;

  @Override
  public Integer call() {
    MathMode mode = math.mode(MathMode.FP32); // conformance compares to the last bits
    try (Device dev = openDevice(mode)) {
      String kind = device.equals("auto") ? "gpu" : device;
      String where =
          dev == null ? "cpu" : kind + ", " + mode.name().toLowerCase(java.util.Locale.ROOT);
      return run(dev == null ? ConformanceBackend.CPU : ConformanceBackend.device(dev), where);
    }
  }

  /** The device of --device (render's and eval's policy), or null for the CPU backend. */
  private Device openDevice(MathMode mode) {
    return Backends.openDevice(DeviceOption.parse(device), mode);
  }

  /** Runs every case on backend; {@code where} names it (and its math mode) in the summary line. */
  private int run(ConformanceBackend backend, String where) {
    PrintWriter out = stdout();
    int passed = 0;
    int failed = 0;
    int unsupported = 0;
    for (Path dir : ConformanceRunner.findCases(dirs)) {
      ConformanceCase c = ConformanceRunner.run(dir, backend);
      out.println(c);
      out.flush();
      switch (c.status()) {
        case PASS -> passed++;
        case FAIL -> failed++;
        case UNSUPPORTED -> unsupported++;
      }
    }
    out.printf("%d passed, %d failed, %d unsupported (%s)%n", passed, failed, unsupported, where);
    return failed == 0 ? 0 : 1;
  }
}
