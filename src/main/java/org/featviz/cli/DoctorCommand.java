package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.featviz.backend.DeviceSelfCheck;
import org.featviz.cpu.Blas;
import org.featviz.cuda.CudaDevice;
import org.featviz.cuda.compat.CompatStep;
import org.featviz.cuda.compat.CudaCompat;
import org.featviz.cuda.compat.LoadedLibraries;
import picocli.CommandLine.Command;

/**
 * {@code featviz doctor}: which CPU kernels run (OpenBLAS or the Java ones, and why), what featviz
 * finds of the GPU stack (GPU, compute capability, memory, driver, cuBLAS and cuDNN versions, the
 * compatibility steps that make JCuda's natives load), and a tiny end-to-end check (one convolution
 * forward and backward-data on the GPU against the CPU), then the folders searched for CUDA
 * libraries and the CUDA library files actually loaded (from /proc/self/maps). Exit code 0 when
 * everything works, 1 when there is no usable GPU or a check fails.
 */
@Command(
    name = "doctor",
    description =
        "Check the GPU setup: GPU, driver, cuBLAS and cuDNN versions, compatibility libraries, and one"
            + " convolution on the GPU compared with the CPU. Exits 1 without a usable GPU.")
final class DoctorCommand extends FeatvizCommand {

  @Override
  public Integer call() {
    PrintWriter out = stdout();
    out.println(
        line(
            "CPU kernels",
            Blas.available()
                ? "OpenBLAS for convolutions and matrix products (--device cpu-ref: Java only)"
                : "Java only: " + Blas.unavailableReason()));
    if (!CudaDevice.isAvailable()) {
      out.println("GPU: none usable: " + CudaDevice.unavailableReason());
      out.println(
          "The CPU backend works without one; the GPU backend needs an NVIDIA GPU and its driver.");
      printLoaded(out);
      return 1;
    }
    try (CudaDevice gpu = CudaDevice.open()) {
      out.println(line("GPU", gpu.name()));
      out.println(line("compute capability", gpu.computeCapability()));
      out.println(
          line("memory", String.format("%.1f GiB", gpu.totalMemoryBytes() / (double) (1L << 30))));
      int driver = CudaDevice.driverVersion();
      out.println(line("driver", "CUDA " + driver / 1000 + "." + driver % 1000 / 10));
      List<CompatStep> steps = CudaCompat.prepare();
      for (CompatStep s : steps) out.println(line("compatibility", s.toString()));
      out.println(line("cuBLAS", version(gpu.cublasVersion(), 10000)));
      long cudnn = gpu.cudnnVersion();
      out.println(line("cuDNN", version(cudnn, cudnn >= 90000 ? 10000 : 1000)));
      DeviceSelfCheck.Result check = DeviceSelfCheck.convolution(gpu);
      out.println(
          line(
              "conv check",
              String.format(
                  "forward error %.2g, backward-data error %.2g (tolerance %.0g): %s",
                  check.forwardError(),
                  check.backwardError(),
                  DeviceSelfCheck.TOLERANCE,
                  check.ok() ? "ok" : "MISMATCH")));
      printLoaded(out);
      return check.ok() ? 0 : 1;
    } catch (RuntimeException | LinkageError e) {
      out.println("GPU check failed: " + e.getMessage());
      printLoaded(out);
      return 1;
    }
  }

  /**
   * The CUDA library folders searched and the CUDA files this process has mapped (/proc/self/maps).
   */
  private static void printLoaded(PrintWriter out) {
    for (Path folder : CudaCompat.searchedFolders())
      out.println(line("library folder", folder.toString()));
    for (Path file : LoadedLibraries.mapped(LoadedLibraries.CUDA))
      out.println(line("loaded", file.toString()));
  }

  private static String line(String what, String value) {
    return String.format("%-20s %s", what + ":", value);
  }

  /** MAJOR*major + MINOR*100 + PATCH as "MAJOR.MINOR.PATCH". */
  private static String version(long v, int major) {
    return v / major + "." + v % major / 100 + "." + v % 100 + " (" + v + ")";
  }
}
