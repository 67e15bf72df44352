package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.featviz.onnx.TinyModels;
import org.featviz.onnx.TokenModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code featviz sweep} as its users see it: one-line refusals, a resume summary that tells this
 * run from the ones before, progress lines off a terminal, a lost image done again without a stack
 * trace, and the singular option names that render uses.
 */
class SweepCommandTest {
  @TempDir Path tmp;

  private Path model() {
    return TinyModels.convRelu(tmp.resolve("m.onnx"), 6, TinyModels.sines(2 * 9));
  }

  private String[] sweep(Path out, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "sweep",
                "--model",
                model().toString(),
                "--layers",
                "relu1",
                "--batch",
                "1",
                "--steps",
                "2",
                "--transforms",
                "none",
                "--device",
                "cpu",
                "--out",
                out.toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static void assertNoStackTrace(CliRunner r) {
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
  }

  @Test
  void aFolderInUseIsRefusedInOneLine() throws Exception {
    Path out = tmp.resolve("busy");
    Files.createDirectories(out);
    try (FileChannel ch =
            FileChannel.open(
                out.resolve(".featviz-sweep.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock held = ch.lock()) {
      CliRunner r = CliRunner.run(sweep(out));
      assertEquals(2, r.exitCode(), r.out() + r.err());
      List<String> lines = r.err().strip().lines().toList();
      assertEquals(1, lines.size(), r.err());
      assertTrue(
          lines.get(0).startsWith("featviz: error: " + out + " is in use by another sweep"),
          lines.get(0));
    }
    assertEquals(0, CliRunner.run(sweep(out)).exitCode(), "free again once the other sweep ends");
  }

  @Test
  void theResumeSummaryTellsThisRunFromTheOnesBefore() throws Exception {
    Path out = tmp.resolve("resume");
    CliRunner first = CliRunner.run(sweep(out));
    assertEquals(0, first.exitCode(), first.err());
    assertTrue(
        first
            .out()
            .matches(
                "(?s).*2 units in \\[relu1\\] in [0-9.]+ s; 0 dead, 0 diverged; results in .*"),
        first.out());

    List<String> lines = Files.readAllLines(out.resolve("results.jsonl"));
    Files.write(out.resolve("results.jsonl"), lines.subList(0, 1));
    CliRunner second = CliRunner.run(sweep(out));
    assertEquals(0, second.exitCode(), second.err());
    assertTrue(second.out().contains("resuming: 1 of 2 units already done"), second.out());
    assertTrue(
        second
            .out()
            .matches(
                "(?s).*2 units in \\[relu1\\] \\(1 done in [0-9.]+ s this run, 1 from before\\);"
                    + " 0 dead, 0 diverged; results in .*"),
        second.out());
    CliRunner third = CliRunner.run(sweep(out));
    assertTrue(third.out().contains("2 units in [relu1] (all from before); 0 dead"), third.out());
  }

  @Test
  void offATerminalProgressIsAPlainLineOnStandardErrorPerInterval() {
    String key = "featviz.progress.interval"; // documented in the user guide
    String before = System.getProperty(key);
    System.setProperty(key, "0"); // a line whenever the work advances
    try {
      CliRunner r = CliRunner.run(sweep(tmp.resolve("progress")));
      assertEquals(0, r.exitCode(), r.err());
      List<String> lines = r.err().lines().filter(l -> l.startsWith("sweep: ")).toList();
      assertEquals(4, lines.size(), "2 units x 2 steps, a line per step: " + r.err());
      assertTrue(
          lines
              .get(0)
              .matches("sweep: 1/4 unit steps \\(25%\\), \\d+ s elapsed, about \\d+ s left"),
          lines.get(0));
      assertTrue(
          lines.get(3).matches("sweep: 4/4 unit steps \\(100%\\), \\d+ s elapsed"), lines.get(3));

      CliRunner render =
          CliRunner.ok(
              "render --model {} --layer relu1 --unit 0 --steps 2 "
                  + "--transforms none --device cpu --out {}",
              model(),
              tmp.resolve("render"));
      assertTrue(render.err().contains("render: 2/2 steps (100%)"), render.err());
    } finally {
      if (before == null) System.clearProperty(key);
      else System.setProperty(key, before);
    }
    CliRunner quiet = CliRunner.run(sweep(tmp.resolve("quiet")));
    assertFalse(
        quiet.err().contains("sweep: "),
        "work shorter than the interval prints nothing: " + quiet.err());
  }

  @Test
  void aDeletedImageIsDoneAgainWithoutAStackTrace() throws Exception {
    Path out = tmp.resolve("lost");
    assertEquals(0, CliRunner.run(sweep(out)).exitCode());
    Files.delete(out.resolve("relu1/unit_0001.png"));
    CliRunner again = CliRunner.run(sweep(out));
    assertEquals(0, again.exitCode(), again.err());
    assertNoStackTrace(again);
    assertTrue(
        again.out().contains("1 unit's image is missing in " + out + ": it is done again"),
        again.out());
    assertTrue(again.out().contains("resuming: 1 of 2 units already done"), again.out());
    assertTrue(Files.exists(out.resolve("relu1/unit_0001.png")));
  }

  @Test
  void sweepAndRenderTakeBothTheSingularAndThePluralOptionNames() throws Exception {
    Path out = tmp.resolve("singular");
    CliRunner sweep =
        CliRunner.ok(
            "sweep --model {} --layer relu1 --unit 1 --steps 2 "
                + "--transforms none --device cpu --out {}",
            model(),
            out);
    assertEquals(2, Files.readAllLines(out.resolve("results.csv")).size(), "a header and unit 1");

    Path plural = tmp.resolve("plural");
    CliRunner render =
        CliRunner.ok(
            "render --model {} --layers relu1 --units 0,1 "
                + "--steps 2 --transforms none --device cpu --out {}",
            model(),
            plural);
    assertTrue(Files.exists(plural.resolve("relu1_unit_0001.png")));

    CliRunner two =
        CliRunner.line(
            "render --model {} --layers conv1,relu1 --unit 0 --steps 2 --device cpu --out {}",
            model(),
            tmp.resolve("two"));
    assertEquals(2, two.exitCode(), two.out());
    assertTrue(
        two.err().startsWith("featviz: error: --layers") && two.err().contains("one layer"),
        two.err());
    assertFalse(Files.exists(tmp.resolve("two")), "nothing written");
  }

  @Test
  void sweepsEveryFeatureOfATokenLayerOnTheCpuAndTheEmulator(@TempDir Path dir) throws Exception {
    Path model =
        TokenModels.tokens(
            dir.resolve("tokens.onnx"),
            TinyModels.uniform(2, 15),
            new float[] {1, 0.5f, 1.5f, 1, 1},
            new float[5]);
    for (String device : new String[] {"cpu", "emulated"}) {
      Path out = dir.resolve(device);
      CliRunner r =
          CliRunner.ok(
              "sweep --model {} --layers ln --units all --steps 3 --transforms none --device "
                  + device
                  + " --out {}",
              model,
              out);
      // The layer is [N, 16 tokens, 5 features]: its 5 units are the features.
      for (int u = 0; u < 5; u++)
        assertTrue(
            Files.exists(out.resolve(String.format("ln/unit_%04d.png", u))),
            device + ": unit " + u + " missing: " + r.err());
      assertFalse(
          Files.exists(out.resolve("ln/unit_0005.png")), device + ": a sixth unit: " + r.err());
      assertEquals(6, Files.readAllLines(out.resolve("results.csv")).size(), "a header, 5 units");
    }
  }
}
