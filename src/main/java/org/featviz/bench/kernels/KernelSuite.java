package org.featviz.bench.kernels;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.featviz.cuda.CudaDevice;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;

/**
 * The kernel benchmark suite, in the style of llm.c's dev/cuda: for every {@link KernelBenchmark}
 * of {@link KernelBenchmarks#all()}, fresh random inputs, the device result checked against its CPU
 * twin first, and only then the timing. Before the kernels, a device-to-device copy ({@code
 * device_copy}) is checked and timed the same way; on a GPU its bandwidth is the ceiling each
 * kernel's achieved bandwidth is given as a fraction of.
 *
 * <p>Timing on a GPU ({@link CudaDevice}): {@link #GPU_WARMUP} launches, then {@link #GPU_RUNS}
 * runs, each between its own pair of CUDA events, with the L2 cache flushed before each run (a
 * memset of a 256 MiB scratch buffer, outside the events); median, minimum and maximum reported. On
 * the host emulator the same protocol with wall time and few runs: those numbers time the emulator,
 * not a GPU, and are labelled so in every output.
 *
 * <p>Output (into the folder given): kernels.md (a table) and kernels.json (the same rows, with the
 * device, sizes and seed).
 */
public final class KernelSuite {
  static final int GPU_WARMUP = 5;
  static final int GPU_RUNS = 50;
  static final int EMU_WARMUP = 1;
  static final int EMU_RUNS = 3;
  static final String EMULATOR_TIMING = "emulator wall time, not GPU timing";
  static final String GPU_TIMING = "CUDA events, L2 flushed before each run";
  private static final long FLUSH_BYTES = 256L << 20;

  private KernelSuite() {}

  /** One benchmark's outcome; the timing fields are NaN where the check failed. */
  public record Row(
      String name,
      String kernels,
      String shape,
      boolean passed,
      double error,
      double tolerance,
      String failure,
      long bytes,
      long flops,
      int runs,
      double medianMs,
      double minMs,
      double maxMs,
      double gbPerS,
      double gflopPerS,
      double fractionOfCopy) {}

  /** The whole run: the device, the sizes and seed, how it was timed, one row per benchmark. */
  public record Report(
      String device,
      boolean gpu,
      BenchSize size,
      long seed,
      String timing,
      Map<String, String> environment,
      List<Row> rows) {
    public boolean allPassed() {
      return rows.stream().allMatch(Row::passed);
    }
  }

  /** Runs the copy ceiling and every registered benchmark on {@code device}. */
  public static Report run(Device device, BenchSize size, long seed, PrintWriter log) {
    return run(device, size, seed, KernelBenchmarks.all(), log);
  }

  /** Runs the copy ceiling and {@code benchmarks} on {@code device}, logging a line per row. */
  public static Report run(
      Device device, BenchSize size, long seed, List<KernelBenchmark> benchmarks, PrintWriter log) {
    boolean gpu = device instanceof CudaDevice;
    String timing = gpu ? GPU_TIMING : EMULATOR_TIMING;
    log.println(
        "featviz bench kernels: device "
            + device.name()
            + ", sizes "
            + size.label()
            + ", seed "
            + seed
            + ", timing: "
            + timing);
    List<KernelBenchmark> all = new ArrayList<>();
    all.add(new CopyBenchmark());
    all.addAll(benchmarks);
    List<Row> rows = new ArrayList<>();
    double ceiling = Double.NaN;
    try (DeviceBuffer flush = gpu ? device.allocate(FLUSH_BYTES) : null) {
      Runnable between = flush == null ? () -> {} : () -> device.memsetZero(flush);
      for (int i = 0; i < all.size(); i++) {
        KernelBenchmark b = all.get(i);
        Row row = runOne(device, gpu, size, new Random(seed + i), b, between, ceiling);
        if (i == 0 && row.passed()) ceiling = row.gbPerS();
        rows.add(row);
        log.println(describe(row, gpu));
        log.flush();
      }
    }
    return new Report(
        device.name(), gpu, size, seed, timing, environment(device), List.copyOf(rows));
  }

  /** What the numbers depend on besides the kernels: date, Java, and on a GPU driver and SM. */
  private static Map<String, String> environment(Device device) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("date", java.time.Instant.now().toString());
    env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    if (device instanceof CudaDevice cuda) {
      try {
        env.put("cuda_driver", Integer.toString(CudaDevice.driverVersion()));
        env.put("compute_capability", cuda.computeCapability());
      } catch (RuntimeException e) {
        env.put("cuda_driver", "unknown: " + e.getMessage());
      }
    }
    return java.util.Collections.unmodifiableMap(env);
  }

  private static Row runOne(
      Device device,
      boolean gpu,
      BenchSize size,
      Random rng,
      KernelBenchmark b,
      Runnable between,
      double ceiling) {
    String shape = "?";
    try (KernelBenchmark.Prepared p = b.prepare(device, size, rng)) {
      shape = p.shape();
      double error = p.check();
      device.synchronize();
      boolean passed = !Double.isNaN(error) && error <= p.tolerance();
      if (!passed) {
        String why = "device differs from its CPU twin";
        return failed(b, shape, error, p.tolerance(), why, p.bytes(), p.flops());
      }
      double[] ms = time(device, gpu, between, p);
      double[] sorted = ms.clone();
      Arrays.sort(sorted);
      double median = median(sorted);
      double seconds = median / 1e3;
      double gbs = seconds > 0 ? p.bytes() / seconds / 1e9 : Double.NaN;
      double gflops = seconds > 0 ? p.flops() / seconds / 1e9 : Double.NaN;
      double fraction = gpu && ceiling > 0 ? gbs / ceiling : Double.NaN;
      return new Row(
          b.name(),
          b.kernels(),
          shape,
          true,
          error,
          p.tolerance(),
          "",
          p.bytes(),
          p.flops(),
          ms.length,
          median,
          sorted[0],
          sorted[sorted.length - 1],
          gbs,
          gflops,
          fraction);
    } catch (RuntimeException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      return failed(b, shape, Double.NaN, Double.NaN, why, 0, 0);
    }
  }

  /** A row that was not timed: its check failed, or the benchmark threw. */
  private static Row failed(
      KernelBenchmark b,
      String shape,
      double error,
      double tolerance,
      String why,
      long bytes,
      long flops) {
    double nan = Double.NaN;
    return new Row(
        b.name(),
        b.kernels(),
        shape,
        false,
        error,
        tolerance,
        why,
        bytes,
        flops,
        0,
        nan,
        nan,
        nan,
        nan,
        nan,
        nan);
  }

  /** Milliseconds of each timed run, after warm-up. */
  private static double[] time(
      Device device, boolean gpu, Runnable between, KernelBenchmark.Prepared p) {
    int warmup = gpu ? GPU_WARMUP : EMU_WARMUP;
    int runs = gpu ? GPU_RUNS : EMU_RUNS;
    for (int i = 0; i < warmup; i++) p.launch();
    device.synchronize();
    double[] ms = new double[runs];
    if (gpu) {
      float[] events = ((CudaDevice) device).eventTimesMillis(between, p::launch, runs);
      for (int r = 0; r < runs; r++) ms[r] = events[r];
    } else {
      for (int r = 0; r < runs; r++) {
        between.run();
        device.synchronize();
        long t0 = System.nanoTime();
        p.launch();
        device.synchronize();
        ms[r] = (System.nanoTime() - t0) / 1e6;
      }
    }
    return ms;
  }

  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** One log line per row. */
  static String describe(Row r, boolean gpu) {
    if (!r.passed()) {
      return String.format(
          Locale.ROOT,
          "featviz check %s FAILED on %s: %s (error %s, tolerance %s); not timed",
          r.name(),
          r.shape(),
          r.failure(),
          num(r.error()),
          num(r.tolerance()));
    }
    return String.format(
        Locale.ROOT,
        "featviz kernel %s %s: check passed (error %s <= %s); median %.4f ms (min %.4f, max %.4f,"
            + " %d runs) %.1f GB/s %.1f GFLOP/s%s",
        r.name(),
        r.shape(),
        num(r.error()),
        num(r.tolerance()),
        r.medianMs(),
        r.minMs(),
        r.maxMs(),
        r.runs(),
        r.gbPerS(),
        r.gflopPerS(),
        gpu
            ? (Double.isNaN(r.fractionOfCopy())
                ? ""
                : String.format(Locale.ROOT, " = %.0f%% of copy", 100 * r.fractionOfCopy()))
            : " [" + EMULATOR_TIMING + "]");
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.2e", v);
  }

  /** Writes kernels.md and kernels.json into {@code dir} (created if needed). */
  public static void write(Report report, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("kernels.md"), markdown(report));
    Files.writeString(dir.resolve("kernels.json"), json(report));
  }

  static String markdown(Report r) {
    StringBuilder s = new StringBuilder();
    s.append("# featviz kernel benchmarks\n\n");
    s.append("Device: ").append(r.device()).append("; sizes: ").append(r.size().label());
    s.append("; seed ").append(r.seed()).append("; timing: ").append(r.timing()).append(".\n");
    StringBuilder env = new StringBuilder();
    r.environment()
        .forEach(
            (k, v) -> env.append(env.length() == 0 ? "" : "; ").append(k).append(' ').append(v));
    s.append("Environment: ").append(env).append(".\n\n");
    if (!r.gpu()) {
      s.append(
          "**Emulator, not GPU timing**: the numbers below time the host emulator running the"
              + " kernels thread by thread; they say nothing about a GPU. Only the checks count.\n\n");
    }
    s.append(
        "| benchmark | kernels | shape | check (error / tolerance) | median ms | min ms | max ms |"
            + " runs | MB moved | MFLOP | GB/s | GFLOP/s | of copy |\n");
    s.append(
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Row row : r.rows()) {
      String check =
          row.passed()
              ? "passed (" + num(row.error()) + " / " + num(row.tolerance()) + ")"
              : "FAILED: " + row.failure().replace("|", "\\|") + " (" + num(row.error()) + ")";
      s.append("| ").append(row.name()).append(" | ").append(row.kernels());
      s.append(" | ").append(row.shape()).append(" | ").append(check);
      s.append(" | ").append(fixed(row.medianMs(), 4));
      s.append(" | ").append(fixed(row.minMs(), 4));
      s.append(" | ").append(fixed(row.maxMs(), 4));
      s.append(" | ").append(row.runs());
      s.append(" | ").append(fixed(row.bytes() / 1e6, 3));
      s.append(" | ").append(fixed(row.flops() / 1e6, 3));
      s.append(" | ").append(fixed(row.gbPerS(), 2));
      s.append(" | ").append(fixed(row.gflopPerS(), 2));
      s.append(" | ")
          .append(
              Double.isNaN(row.fractionOfCopy())
                  ? "-"
                  : String.format(Locale.ROOT, "%.0f%%", 100 * row.fractionOfCopy()));
      s.append(" |\n");
    }
    s.append(
        "\nBytes are the least each launch must move (inputs read once, outputs written once);"
            + " FLOPs as counted in each benchmark's comment (org.featviz.bench.kernels). \"of copy\":"
            + " achieved GB/s over device_copy's, on a GPU only.\n");
    return s.toString();
  }

  static String json(Report r) {
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("device", r.device());
    top.put("gpu", r.gpu());
    top.put("sizes", r.size().label());
    top.put("seed", r.seed());
    top.put("timing", r.timing());
    top.put("environment", r.environment());
    top.put("all_passed", r.allPassed());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Row row : r.rows()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", row.name());
      m.put("kernels", row.kernels());
      m.put("shape", row.shape());
      m.put("passed", row.passed());
      m.put("error", finite(row.error()));
      m.put("tolerance", finite(row.tolerance()));
      if (!row.passed()) m.put("failure", row.failure());
      m.put("bytes", row.bytes());
      m.put("flops", row.flops());
      m.put("runs", row.runs());
      m.put("median_ms", finite(row.medianMs()));
      m.put("min_ms", finite(row.minMs()));
      m.put("max_ms", finite(row.maxMs()));
      m.put("gb_per_s", finite(row.gbPerS()));
      m.put("gflop_per_s", finite(row.gflopPerS()));
      m.put("fraction_of_copy", finite(row.fractionOfCopy()));
      rows.add(m);
    }
    top.put("rows", rows);
    return new GsonBuilder()
            .setPrettyPrinting()
            .serializeNulls()
            .disableHtmlEscaping()
            .create()
            .toJson(top)
        + "\n";
  }

  /** JSON has no NaN: null instead. */
  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static String fixed(double v, int digits) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
  }

  /**
   * device_copy: a device-to-device copy of 256 MiB (full) or 4 MiB (small), checked bit for bit;
   * bytes moved: read + written. The ceiling the kernels are measured against on a GPU.
   */
  static final class CopyBenchmark implements KernelBenchmark {
    @Override
    public String name() {
      return "device_copy";
    }

    @Override
    public String kernels() {
      return "cuMemcpyDtoDAsync (ceiling)";
    }

    @Override
    public Prepared prepare(Device device, BenchSize size, Random rng) {
      int n = size == BenchSize.FULL ? 1 << 26 : 1 << 20;
      float[] host = Errors.uniform(rng, n, -1f, 1f);
      return new Owned(device, n + " floats (" + (4L * n >> 20) + " MiB)", 8L * n, 0, 0) {
        final DeviceBuffer src = upload(host);
        final DeviceBuffer dst = floats(n);

        @Override
        public double check() {
          device.memsetZero(dst);
          launch();
          float[] got = read(dst, n);
          return Arrays.equals(host, got) ? 0 : Errors.relative(host, got) + Double.MIN_VALUE;
        }

        @Override
        public void launch() {
          device.copy(src, 0, dst, 0, 4L * n);
        }
      };
    }
  }
}
