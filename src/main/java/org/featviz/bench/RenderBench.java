package org.featviz.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import org.featviz.Model;
import org.featviz.backend.Backends;
import org.featviz.device.Device;
import org.featviz.device.MathMode;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.objective.Objectives;
import org.featviz.param.TransformConfig;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderTarget;
import org.featviz.render.Renderer;
import org.featviz.render.gpu.DeviceRenderer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Render throughput of one backend, in image-steps per second (batch x optimization steps /
 * seconds), measured inside one JVM so that start-up, model import, plan building and JIT
 * compilation stay out of the number. It calls the backend's renderer itself rather than {@code
 * Model.render}, so the backend measured is the one named by {@code --device} (cpu: the CPU {@link
 * Renderer}; gpu or emulated: {@link DeviceRenderer} in the {@code --math} mode), never a fallback.
 * bench/run-cpu.sh and bench/run-gpu.sh run it beside bench/peer_lucid.py, which does the same work
 * per step in PyTorch.
 *
 * <p>The batch is units 0..B-1 of one layer, image b maximizing the spatial mean of channel b
 * ({@code channel} objective, FFT parameterization, the given transforms, Adam lr 0.05): what
 * {@code featviz render --unit 0-(B-1)} does (a batch larger than the layer takes unit b mod
 * units). Checks before it times:
 *
 * <ol>
 *   <li>check: a 1-step and a K-step render from the same seeds; every status must be OK, every
 *       objective finite, and the batch's mean objective (measured on the untransformed final
 *       image) must grow from 1 to K steps. The K-step render also warms up the JIT, and its steps
 *       2..K give the time per step that sizes the timed run;
 *   <li>timing: one render of warm-up + M steps; the Renderer's onStep callback marks the clock
 *       (wall and process CPU time) after the warm-up steps and after the last step, so neither
 *       graph preparation nor the final measurement pass is timed. Its results must be OK too, or
 *       nothing is reported.
 * </ol>
 *
 * Output: one {@code featviz check ...} line and one {@code featviz device=... math=... layer=...
 * image_steps_per_s=X image_steps_per_cpu_s=Y} line per configuration; exit 1 when a check fails, 2
 * on bad input (a {@code --device gpu} without a usable GPU included). {@code --batch} and {@code
 * --math} take comma-separated lists: every pair (math modes outer, batches inner) is checked and
 * timed in turn on one device and one imported model, which saves a JVM start and an import per
 * configuration (bench/gpu-first-run.sh); a configuration that fails prints why and the others
 * still run.
 *
 * <pre>
 * java -cp target/featviz.jar org.featviz.bench.RenderBench --layer relu2 --batch 8 --seconds 10
 * </pre>
 */
@Command(
    name = "RenderBench",
    description = "Checks, then times featviz's batched render on one backend (image-steps/s).")
public final class RenderBench implements Callable<Integer> {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "show this help")
  boolean help;

  @Option(
      names = "--model",
      defaultValue = "models/fashion-cnn.onnx",
      description = "ONNX model (default ${DEFAULT-VALUE})")
  Path model;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description =
          "backend to time: cpu (default), gpu or emulated (slow; for checking the script)")
  String device;

  @Option(
      names = "--math",
      defaultValue = "fp32",
      split = ",",
      description =
          "math modes of a device backend, as featviz render --math, comma-separated (default ${DEFAULT-VALUE})")
  List<String> math;

  @Option(
      names = "--layer",
      defaultValue = "relu2",
      description = "target layer (default ${DEFAULT-VALUE})")
  String layer;

  @Option(
      names = "--batch",
      defaultValue = "8",
      split = ",",
      description =
          "images, comma-separated for several runs; image b maximizes channel b mod units"
              + " (default ${DEFAULT-VALUE})")
  List<Integer> batches;

  /** The batch of the configuration being run. */
  private int batch;

  @Option(
      names = "--check-steps",
      defaultValue = "8",
      description = "steps of the check render (default ${DEFAULT-VALUE})")
  int checkSteps;

  @Option(
      names = "--warmup",
      defaultValue = "2",
      description = "untimed steps before the timed ones (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(
      names = "--steps",
      defaultValue = "0",
      description = "timed steps (default: enough for --seconds)")
  int steps;

  @Option(
      names = "--seconds",
      defaultValue = "10",
      description = "target length of the timed part (default ${DEFAULT-VALUE})")
  double seconds;

  @Option(
      names = "--transforms",
      defaultValue = "small",
      description = "small (default), lucid or none, as featviz render")
  String transforms;

  @Option(
      names = "--input-shape",
      paramLabel = "DIMS",
      description = "input shape where the model's is dynamic, e.g. 3,224,224")
  String inputShape;

  @Option(
      names = "--lr",
      defaultValue = "0.05",
      description = "Adam learning rate (default ${DEFAULT-VALUE})")
  double lr;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "random seed (default ${DEFAULT-VALUE})")
  long seed;

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Runs the benchmark; returns 0 when it checked and timed, 1 when a check failed, 2 on bad input.
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new RenderBench());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof ModelException) {
            commandLine.getErr().println("RenderBench: error: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (batches.stream().anyMatch(b -> b < 1)
        || checkSteps < 2
        || warmup < 1
        || steps < 0
        || !(seconds > 0)) {
      throw new ModelException(
          "need --batch >= 1, --check-steps >= 2, --warmup >= 1, --steps >= 0, --seconds > 0");
    }
    if (!List.of("cpu", "gpu", "emulated").contains(device)) {
      throw new ModelException("--device " + device + ": expected cpu, gpu or emulated");
    }
    List<MathMode> modes = new ArrayList<>();
    try {
      for (String mode : math) modes.add(MathMode.parse(mode));
    } catch (IllegalArgumentException e) {
      throw new ModelException(e.getMessage());
    }
    int status = 0;
    // The model only supplies the graph: the bench opens the device it measures itself.
    try (Model m =
            Model.builder(model)
                .optInputShape(inputShape())
                .optBackend(org.featviz.backend.Backend.CPU)
                .open();
        Device dev = Backends.openDevice(org.featviz.backend.Backend.parse(device), modes.get(0))) {
      String name = m.graph().resolveLayer(layer);
      for (MathMode mode : modes) {
        if (dev != null) dev.setMathMode(mode);
        for (int b : batches) {
          batch = b;
          try {
            status = Math.max(status, measure(out, m, dev, mode, name));
          } catch (RuntimeException e) {
            // One configuration that cannot run (out of memory at batch 256, say) does not stop the
            // others.
            out.println(
                "featviz device="
                    + device
                    + " math="
                    + mode.name().toLowerCase(Locale.ROOT)
                    + " layer="
                    + name
                    + " batch="
                    + batch
                    + ": FAILED: "
                    + e.getClass().getSimpleName()
                    + ": "
                    + e.getMessage());
            status = 1;
          }
          out.flush();
        }
      }
    }
    return status;
  }

  /** Checks, then times one configuration; returns 0, or 1 when its check failed. */
  private int measure(PrintWriter out, Model m, Device dev, MathMode mode, String name) {
    // Batches larger than the layer repeat units (same seed, same image): the work per step is what
    // counts.
    List<RenderTarget> targets = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      int u = b % m.units(name);
      targets.add(m.unit(name, u, Objectives.channel(name, u)));
    }
    RenderOptions options =
        RenderOptions.defaults()
            .withTransforms(TransformConfig.named(transforms))
            .withLearningRate(lr)
            .withSeed(seed);
    // The backend's renderer itself, not Model.render, so that no fallback can change what is
    // measured.
    Graph graph = m.prepare(List.of(name));
    Backend backend =
        dev == null
            ? (o, t, onStep) -> new Renderer(graph, m.normalization(), o).render(t, onStep)
            : (o, t, onStep) -> {
              try (DeviceRenderer r = new DeviceRenderer(dev, graph, m.normalization(), o)) {
                return r.render(t, onStep);
              }
            };

    List<RenderResult> first = backend.render(options.withSteps(1), targets, step -> {});
    long[] marks = new long[2];
    List<RenderResult> checked =
        backend.render(
            options.withSteps(checkSteps),
            targets,
            step -> {
              if (step == 1 || step == checkSteps) marks[step == 1 ? 0 : 1] = System.nanoTime();
            });
    double perStep = (marks[1] - marks[0]) / 1e9 / (checkSteps - 1);
    if (!check(out, name, first, checked)) return 1;

    int timed = steps > 0 ? steps : Math.max(5, (int) Math.ceil(seconds / perStep));
    long[] wall = new long[2];
    long[] cpu = new long[2];
    List<RenderResult> results =
        backend.render(
            options.withSteps(warmup + timed),
            targets,
            step -> {
              if (step == warmup || step == warmup + timed) {
                int i = step == warmup ? 0 : 1;
                wall[i] = System.nanoTime();
                cpu[i] = processCpuNanos();
              }
            });
    long notOk = results.stream().filter(r -> r.status() == RenderResult.Status.NAN).count();
    if (notOk > 0) {
      out.println("featviz: " + notOk + " of " + batch + " images NaN after the timed steps");
      return 1;
    }
    double wallSeconds = (wall[1] - wall[0]) / 1e9;
    double cpuSeconds = (cpu[1] - cpu[0]) / 1e9;
    double imageSteps = (double) batch * timed;
    out.printf(
        Locale.ROOT,
        "featviz device=%s math=%s layer=%s batch=%d threads=%d steps=%d seconds=%.3f"
            + " cpu_seconds=%.3f image_steps_per_s=%.2f image_steps_per_cpu_s=%.2f%n",
        device,
        dev == null ? "fp32" : mode.name().toLowerCase(Locale.ROOT),
        name,
        batch,
        Runtime.getRuntime().availableProcessors(),
        timed,
        wallSeconds,
        cpuSeconds,
        imageSteps / wallSeconds,
        cpuSeconds > 0 ? imageSteps / cpuSeconds : Double.NaN);
    return 0;
  }

  /** One render on the measured backend: options, targets, a per-step callback. */
  private interface Backend {
    List<RenderResult> render(
        RenderOptions options, List<RenderTarget> targets, IntConsumer onStep);
  }

  /**
   * Prints the check line; true when no image is NaN, every objective is finite, and the mean
   * objective grew from 1 to K steps. A unit still exactly 0 after K steps (DEAD: fashion-cnn's
   * relu2:4 fires only after about 64 steps) is allowed: the check is of the step loop, not of the
   * unit.
   */
  private boolean check(
      PrintWriter out, String name, List<RenderResult> first, List<RenderResult> checked) {
    double before = 0;
    double after = 0;
    int grew = 0;
    boolean ok = true;
    for (int b = 0; b < batch; b++) {
      RenderResult r = checked.get(b);
      ok &= r.status() != RenderResult.Status.NAN && Double.isFinite(r.objectiveValue());
      before += first.get(b).objectiveValue() / batch;
      after += r.objectiveValue() / batch;
      if (r.objectiveValue() > first.get(b).objectiveValue()) grew++;
    }
    ok &= after > before;
    out.printf(
        Locale.ROOT,
        "featviz check layer=%s batch=%d: objective mean %.4g -> %.4g from 1 to %d steps,"
            + " %d/%d grew, statuses %s: %s%n",
        name,
        batch,
        before,
        after,
        checkSteps,
        grew,
        batch,
        checked.stream().map(r -> r.status().name()).distinct().toList(),
        ok ? "OK" : "FAILED");
    return ok;
  }

  private long[] inputShape() {
    if (inputShape == null) return null;
    String[] parts = inputShape.split(",");
    long[] dims = new long[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) dims[i] = Long.parseLong(parts[i].trim());
    } catch (NumberFormatException e) {
      throw new ModelException(
          "--input-shape " + inputShape + ": expected numbers separated by commas");
    }
    return dims;
  }

  /**
   * CPU time of the whole process (all threads), in nanoseconds; -1 where the platform does not
   * say.
   */
  private static long processCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }
}
