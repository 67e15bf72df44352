package org.featviz.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.featviz.backend.Backend;
import org.featviz.backend.Backends;
import org.featviz.bench.kernels.BenchSize;
import org.featviz.bench.kernels.KernelSuite;
import org.featviz.device.Device;
import org.featviz.ir.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code featviz bench ...}: benchmarks. */
@Command(
    name = "bench",
    description = "Benchmarks: 'featviz bench kernels' checks and times the custom CUDA kernels.",
    subcommands = {BenchCommand.Kernels.class})
final class BenchCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code featviz bench kernels}: the kernel benchmark suite ({@link KernelSuite}). Exit 0 when
   * every check passed, 1 when one failed.
   */
  @Command(
      name = "kernels",
      description =
          "Check every registered custom kernel against its CPU twin on fresh random inputs, then time"
              + " it (GPU: CUDA events; emulated: wall time of the emulator, not GPU timing); writes"
              + " kernels.md and kernels.json.")
  static final class Kernels implements Callable<Integer> {
    @Option(
        names = "--device",
        defaultValue = "gpu",
        description = "gpu (default) or emulated (the host emulator; use --sizes small)")
    String device;

    @Option(
        names = "--sizes",
        description =
            "full (batch 256, GoogLeNet inception4a / VGG16 conv5_3 activations, 224x224 images) or"
                + " small (tiny shapes); default full on a GPU, small on the emulator")
    String sizes;

    @Option(
        names = "--out",
        defaultValue = "kernel-bench",
        description = "folder for kernels.md and kernels.json (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", defaultValue = "17", description = "seed of the random inputs")
    long seed;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      Backend backend = DeviceOption.parse(device);
      if (backend != Backend.GPU && backend != Backend.EMULATED) {
        throw new ModelException("--device " + device + ": expected gpu or emulated");
      }
      BenchSize size;
      try {
        size =
            sizes == null
                ? (backend == Backend.GPU ? BenchSize.FULL : BenchSize.SMALL)
                : BenchSize.parse(sizes);
      } catch (IllegalArgumentException e) {
        throw new ModelException(e.getMessage());
      }
      OutputFolder.prepare("--out", out);
      PrintWriter log = spec.commandLine().getOut();
      try (Device d = Backends.openDevice(backend)) {
        KernelSuite.Report report = KernelSuite.run(d, size, seed, log);
        try {
          KernelSuite.write(report, out);
        } catch (IOException e) {
          throw new UncheckedIOException("writing " + out, e);
        }
        long failed = report.rows().stream().filter(r -> !r.passed()).count();
        log.println(
            "featviz bench kernels: "
                + (report.rows().size() - failed)
                + " of "
                + report.rows().size()
                + " checks passed; "
                + out.resolve("kernels.md")
                + ", "
                + out.resolve("kernels.json"));
        return failed == 0 ? 0 : 1;
      }
    }
  }
}
