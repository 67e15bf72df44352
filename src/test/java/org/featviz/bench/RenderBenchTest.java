package org.featviz.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.featviz.BundledModels;
import org.featviz.CommandWords;
import org.junit.jupiter.api.Test;

/**
 * The benchmark entry point's contract with bench/run-cpu.sh (which parses its lines), on a few
 * steps of the bundled CNN. Nothing here is timed: only that it checks, reports a positive rate in
 * the expected format, and refuses bad input with exit code 2.
 */
class RenderBenchTest {
  private record Run(int code, String out, String err) {}

  private static Run run(String line, Object... values) {
    String[] args = CommandWords.of(line, values);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = RenderBench.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Runs the benchmark as {@link #run} does and asserts exit code 0, showing what it printed. */
  private static Run ok(String line, Object... values) {
    Run r = run(line, values);
    assertEquals(0, r.code(), r.out() + r.err());
    return r;
  }

  @Test
  void checksThenReportsARateInTheFormatTheScriptParses() {
    Run r =
        ok(
            "--model {} --layer relu2 --batch 4 --check-steps 4 --warmup 1 --steps 2",
            BundledModels.path("fashion-cnn"));
    assertTrue(r.out().contains("featviz check layer=relu2 batch=4:"), r.out());
    assertTrue(r.out().contains("statuses [OK]: OK"), r.out());
    Matcher m =
        Pattern.compile(
                "featviz device=cpu math=fp32 layer=relu2 batch=4 threads=\\d+ steps=2 seconds=[0-9.]+ cpu_seconds=[0-9.]+"
                    + " image_steps_per_s=([0-9.]+) image_steps_per_cpu_s=[0-9.]+")
            .matcher(r.out());
    assertTrue(m.find(), r.out());
    assertTrue(Double.parseDouble(m.group(1)) > 0, r.out());
  }

  @Test
  void aUnitStillSilentAfterTheCheckStepsDoesNotFailTheCheck() {
    // relu2:4 is exactly 0 on its image for its first ~64 steps (DEAD after 8): bench/run-cpu.sh's
    // default batch 8 includes it, and the check failed on it.
    Run r =
        ok(
            "--model {} --layer relu2 --batch 8 --check-steps 8 --warmup 1 --steps 1",
            BundledModels.path("fashion-cnn"));
    assertTrue(r.out().contains("statuses [OK, DEAD]: OK"), r.out());
  }

  @Test
  void aBatchLargerThanTheLayerRepeatsUnits() {
    // logits has 10 units, so images 10 and 11 repeat units 0 and 1; no Relu writes it (no
    // redirection).
    Run r =
        ok(
            "--model {} --layer logits --batch 12 --check-steps 3 --warmup 1 --steps 1",
            BundledModels.path("fashion-cnn"));
    assertTrue(r.out().contains("featviz device=cpu math=fp32 layer=logits batch=12 "), r.out());
  }

  @Test
  void timesTheDeviceRendererOnTheEmulator() {
    // The device path of the benchmark (what bench/run-gpu.sh runs with --device gpu), on the host
    // emulator.
    Run r =
        ok(
            "--model {} --layer relu1 --batch 2 --device emulated "
                + "--check-steps 3 --warmup 1 --steps 1",
            BundledModels.path("fashion-cnn"));
    assertTrue(r.out().contains("statuses [OK]: OK"), r.out());
    assertTrue(r.out().contains("featviz device=emulated math=fp32 layer=relu1 batch=2 "), r.out());
  }

  @Test
  void severalBatchesAndMathModesRunInOneJvmOneLineEach() {
    // What bench/gpu-first-run.sh does per model: every math mode x batch pair, checked and timed
    // in turn.
    Run r =
        ok(
            "--model {} --layer relu1 --batch 1,2 --device emulated "
                + "--math fp32,tf32 --check-steps 2 --warmup 1 "
                + "--steps 1",
            BundledModels.path("fashion-cnn"));
    for (String config :
        new String[] {
          "math=fp32 layer=relu1 batch=1 ",
          "math=fp32 layer=relu1 batch=2 ",
          "math=tf32 layer=relu1 batch=1 ",
          "math=tf32 layer=relu1 batch=2 "
        }) {
      assertTrue(r.out().contains("featviz device=emulated " + config), config + " in\n" + r.out());
    }
    assertEquals(4, r.out().lines().filter(l -> l.startsWith("featviz check ")).count(), r.out());
  }

  @Test
  void unknownLayerAndBadNumbersAreUsageErrors() {
    Run unknown = run("--model {} --layer nope", BundledModels.path("fashion-cnn"));
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("unknown layer 'nope'"), unknown.err());

    Run zero = run("--model {} --batch 0", BundledModels.path("fashion-cnn"));
    assertEquals(2, zero.code());
    assertTrue(zero.err().contains("--batch >= 1"), zero.err());

    Run device = run("--model {} --device tpu", BundledModels.path("fashion-cnn"));
    assertEquals(2, device.code());
    assertTrue(device.err().contains("--device tpu: expected cpu, gpu or emulated"), device.err());

    Run math = run("--model {} --device emulated --math fp8", BundledModels.path("fashion-cnn"));
    assertEquals(2, math.code());
    assertTrue(math.err().contains("fp8"), math.err());

    Run shape = run("--model {} --input-shape 1,x,28", BundledModels.path("fashion-cnn"));
    assertEquals(2, shape.code());
    assertTrue(shape.err().contains("--input-shape 1,x,28"), shape.err());
  }
}
