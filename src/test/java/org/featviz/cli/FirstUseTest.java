package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.featviz.TestData;
import org.featviz.data.FashionMnist;
import org.featviz.onnx.OnnxModelBuilder;
import org.featviz.onnx.OnnxModelBuilder.Attr;
import org.featviz.onnx.TinyModels;
import org.featviz.render.RenderResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a new user meets first (issue 9): every command answers --help, unknown commands and bad
 * settings are one-line errors with exit 2 before any work starts, and an internal failure says
 * that it is one.
 */
class FirstUseTest {
  @TempDir Path tmp;

  /** A 1x6x6 input, two 3x3 conv channels, ReLU: renders in milliseconds. */
  private Path model() {
    return TinyModels.convRelu(tmp.resolve("m.onnx"), 6, TinyModels.sines(2 * 9));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"info", "render", "sweep", "analyze", "eval", "conformance", "doctor", "bench"})
  void everyCommandAnswersHelp(String command) {
    for (String flag : List.of("--help", "-h")) {
      CliRunner r = CliRunner.run(command, flag);
      assertEquals(0, r.exitCode(), command + " " + flag + ": " + r.err());
      assertTrue(
          r.out().startsWith("Usage: featviz " + command), command + " " + flag + ": " + r.out());
    }
  }

  @Test
  void unknownCommandIsAnErrorWhateverFollows() {
    for (String[] args :
        List.of(new String[] {"nosuchcommand"}, new String[] {"nosuchcommand", "--help"})) {
      CliRunner r = CliRunner.run(args);
      assertEquals(2, r.exitCode(), r.out());
      assertTrue(r.err().startsWith("featviz: error: unknown command 'nosuchcommand'"), r.err());
    }
  }

  @Test
  void unknownOptionIsOneLine() {
    CliRunner r = CliRunner.line("render --model m.onnx --layer a --unit 0 --out o --bogus");
    assertEquals(2, r.exitCode());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("featviz: error: Unknown option: '--bogus'"), r.err());
  }

  @Test
  void unusableOutputFolderFailsBeforeTheModelIsRead() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    // the model does not exist: had the work started, the error would name it instead
    String missingModel = tmp.resolve("missing.onnx").toString();
    CliRunner isFile =
        CliRunner.line("render --model {} --layer relu1 --unit 0 --out {}", missingModel, file);
    assertEquals(2, isFile.exitCode());
    assertEquals(
        "featviz: error: --out " + file + ": is a file, not a folder", isFile.err().strip());

    CliRunner under =
        CliRunner.line(
            "sweep --model {} --layers relu1 --out {}", missingModel, file.resolve("sub"));
    assertEquals(2, under.exitCode());
    assertEquals(
        "featviz: error: --out " + file.resolve("sub") + ": " + file + " is a file, not a folder",
        under.err().strip());

    // /proc refuses new folders even to root, so this holds as root in CI too
    CliRunner cannotCreate =
        CliRunner.line(
            "render --model {} --layer relu1 --unit 0 --out /proc/featviz-test-out", missingModel);
    assertEquals(2, cannotCreate.exitCode());
    assertTrue(
        cannotCreate
            .err()
            .startsWith("featviz: error: --out /proc/featviz-test-out: cannot create"),
        cannotCreate.err());
  }

  @Test
  void readOnlyOutputFolderIsRefusedBeforeWork() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ro"));
    Assumptions.assumeTrue(
        dir.toFile().setWritable(false, false), "cannot change permissions here");
    try {
      Assumptions.assumeFalse(
          Files.isWritable(dir), "running as root: permission bits do not bind");
      CliRunner r =
          CliRunner.line(
              "render --model {} --layer relu1 --unit 0 --steps 2 --out {}", model(), dir);
      assertEquals(2, r.exitCode());
      assertTrue(
          r.err().startsWith("featviz: error: --out " + dir + ": cannot write files there"),
          r.err());
    } finally {
      dir.toFile().setWritable(true, false);
    }
  }

  @Test
  void badSettingsAreRefusedWithTheirRange() {
    String m = model().toString();
    String out = tmp.resolve("out").toString();
    String[][] cases = {
      {"--tv", "-1", "--tv -1.0: must be a finite number >= 0"},
      {"--tv", "NaN", "--tv NaN: must be a finite number >= 0"},
      {"--l1", "Infinity", "--l1 Infinity: must be a finite number >= 0"},
      {"--blur", "-0.5", "--blur -0.5: must be a finite number >= 0"},
      {"--upscale", "0", "--upscale 0: must be a whole number from 1"},
      {
        "--upscale",
        "1000",
        "--upscale 1000: the PNGs would be 6000 pixels a side; for 6x6 images choose 1 to 341"
      },
      {"--objective", "orthogonal:lambda=-1", "lambda=-1 must be a finite number >= 0"},
      {"--objective", "dot-cossim:n=NaN", "n=NaN must be a finite number >= 0"},
      {"--lr", "Infinity", "--lr Infinity: must be a finite number > 0"},
      {"--steps", "0", "--steps 0: must be a positive whole number"},
      {"--std", "0", "--std 0.0: must be a finite number > 0"},
      {"--mean", "NaN", "--mean NaN: must be finite"},
    };
    for (String[] c : cases) {
      CliRunner r =
          CliRunner.line(
              "render --model {} --layer relu1 --unit 0 --device cpu {} {} --out {}",
              m,
              c[0],
              c[1],
              out);
      assertEquals(2, r.exitCode(), c[0] + " " + c[1] + ": " + r.err());
      String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
      assertTrue(
          last.startsWith("featviz: error: ") && last.contains(c[2]),
          c[0] + " " + c[1] + ": " + r.err());
      assertFalse(
          Files.exists(Path.of(out, "results.json")), "no work was done for " + c[0] + " " + c[1]);
    }
    CliRunner diversity =
        CliRunner.line("render --model {} --layer relu1 --unit 0 --diversity NaN --out {}", m, out);
    assertEquals(2, diversity.exitCode());
    assertTrue(
        diversity.err().contains("--diversity NaN: must be a finite number >= 0"), diversity.err());
  }

  @Test
  void defaultTransformsFitTheImageSizeAndAreNamed() throws Exception {
    Path out = tmp.resolve("small");
    CliRunner r =
        CliRunner.ok(
            "render --model {} --layer relu1 --unit 0 --steps 2 --device cpu --out {}",
            model(),
            out);
    assertTrue(r.err().contains("transforms: small (pad 2"), r.err());
    CliRunner chosen =
        CliRunner.ok(
            "render --model {} --layer relu1 --unit 0 --steps 2 "
                + "--device cpu --transforms none --out {}",
            model(),
            tmp.resolve("none"));
    assertFalse(chosen.err().contains("transforms:"), chosen.err());
  }

  @Test
  void statusReadsTheSameInTheApiAndTheOutputs() throws Exception {
    assertEquals("ok", RenderResult.Status.OK.toString());
    assertEquals("dead", RenderResult.Status.DEAD.label());
    Path out = tmp.resolve("status");
    CliRunner r =
        CliRunner.ok(
            "render --model {} --layer relu1 --unit 0 --steps 2 --device cpu --out {}",
            model(),
            out);
    String json = Files.readString(out.resolve("results.json"));
    assertTrue(
        json.contains("\"status\": \"" + RenderResult.Status.OK + "\"")
            || json.contains("\"status\": \"" + RenderResult.Status.DEAD + "\""),
        json);
  }

  @Test
  void internalFailureSaysItIsOneAndKeepsTheTrace() throws Exception {
    StringWriter err = new StringWriter();
    int code =
        Main.handle(new IllegalStateException("broken invariant"), new PrintWriter(err, true));
    assertEquals(Main.INTERNAL, code);
    String line = err.toString().strip();
    assertTrue(
        line.startsWith(
            "featviz: internal error: java.lang.IllegalStateException: broken invariant"
                + " (a bug in featviz; stack trace in "),
        line);
    Path trace = Path.of(line.substring(line.indexOf("stack trace in ") + 15, line.length() - 1));
    assertTrue(
        Files.readString(trace).contains("at org.featviz.cli.FirstUseTest"), trace.toString());
    Files.delete(trace);
  }

  @Test
  void evalWarnsWhenScoresAreNotFinite() throws Exception {
    TestData.require(
        FashionMnist.defaultDir().resolve("t10k-images-idx3-ubyte.gz"), "dataset-fashion-mnist");
    float[] w = new float[10 * 28 * 28];
    for (int i = 0; i < w.length; i++) w[i] = (float) Math.cos(i) * 0.01f;
    w[5] = Float.NaN;
    Path m =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 1, 28, 28)
            .initializer("w", new long[] {10, 28 * 28}, w)
            .node("Flatten", "flat", List.of("x"), List.of("flat"))
            .node("Gemm", "fc", List.of("flat", "w"), List.of("logits"), Attr.i("transB", 1))
            .output("logits", "N", 10)
            .write(tmp.resolve("nan.onnx"));
    CliRunner r = CliRunner.ok("eval --model {} --limit 16 --device cpu", m);
    assertTrue(
        r.out().contains("warning: 16 of 16 images got a NaN or infinite class score"), r.out());
    assertTrue(r.err().contains("featviz: warning: 16 of 16"), r.err());
  }
}
