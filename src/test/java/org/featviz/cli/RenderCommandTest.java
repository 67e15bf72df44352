package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.featviz.CommandWords;
import org.featviz.onnx.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * featviz render and sweep from the command line: outputs on success, clear errors and exit 2 on
 * bad input.
 */
class RenderCommandTest {
  @TempDir Path tmp;

  private Path model() {
    return TinyModels.convRelu(tmp.resolve("m.onnx"), 6, TinyModels.sines(2 * 9));
  }

  @Test
  void rendersUnitsToPngsAndJson() throws Exception {
    Path out = tmp.resolve("out");
    CliRunner r =
        CliRunner.ok(
            "render --model {} --layer relu1 --unit 0,1 --steps 4 --transforms none --out {}",
            model(),
            out);
    assertTrue(Files.exists(out.resolve("relu1_unit_0000.png")));
    assertTrue(Files.exists(out.resolve("relu1_unit_0001.png")));
    assertTrue(Files.exists(out.resolve("contact_sheet.png")));
    String json = Files.readString(out.resolve("results.json"));
    assertTrue(json.contains("\"unit\": 1") && json.contains("\"activation\""), json);
  }

  @Test
  void badInputsAreClearErrors() {
    String m = model().toString();
    String out = tmp.resolve("bad").toString();
    CliRunner unknownLayer =
        CliRunner.line("render --model {} --layer relu9 --unit 0 --out {}", m, out);
    assertEquals(2, unknownLayer.exitCode());
    assertTrue(unknownLayer.err().contains("unknown layer 'relu9'"), unknownLayer.err());

    CliRunner unitRange =
        CliRunner.line("render --model {} --layer relu1 --unit 5 --out {}", m, out);
    assertEquals(2, unitRange.exitCode());
    assertTrue(unitRange.err().contains("unit 5"), unitRange.err());

    CliRunner objective =
        CliRunner.line(
            "render --model {} --layer relu1 --unit 0 --objective magic --out {}", m, out);
    assertEquals(2, objective.exitCode());
    assertTrue(objective.err().contains("unknown objective 'magic'"), objective.err());

    Path wrongLength = tmp.resolve("dir.txt");
    try {
      Files.writeString(wrongLength, "1 2 3\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    CliRunner direction =
        CliRunner.line(
            "render --model {} --layer relu1 --unit 0 --objective {} --out {}",
            m,
            "dot:direction=" + wrongLength,
            out);
    assertEquals(2, direction.exitCode());
    assertTrue(
        direction.err().contains("3 values") && direction.err().contains("2 units"),
        direction.err());
  }

  @Test
  void inputNormalizationCanBeGivenAndIsChecked() throws Exception {
    String m = model().toString();
    Path a = tmp.resolve("norm-a");
    Path b = tmp.resolve("norm-b");
    CliRunner plain =
        CliRunner.line(
            "render --model {} --layer relu1 --unit 0 --steps 3 "
                + "--transforms none --device cpu --out {}",
            m,
            a);
    CliRunner scaled =
        CliRunner.line(
            "render --model {} --layer relu1 --unit 0 --steps 3 "
                + "--transforms none --device cpu --mean 0.5 "
                + "--std 0.25 --out {}",
            m,
            b);
    assertEquals(0, plain.exitCode(), plain.err());
    assertEquals(0, scaled.exitCode(), scaled.err());
    assertTrue(
        !Files.readString(a.resolve("results.json"))
            .equals(Files.readString(b.resolve("results.json"))),
        "the normalization changes what the network sees");
    CliRunner bad =
        CliRunner.line(
            "render --model {} --layer relu1 --unit 0 --mean 0.1,0.2 --std 1 --out {}",
            m,
            tmp.resolve("norm-c"));
    assertEquals(2, bad.exitCode());
    assertTrue(bad.err().contains("as many means as standard deviations"), bad.err());
  }

  @Test
  void imagenetIsANamedNormalization() throws Exception {
    Path m = TinyModels.rgbConvRelu(tmp.resolve("rgb.onnx"), 8, TinyModels.sines(2 * 27));
    String line =
        "render --model {} --layer relu1 --unit 0,1 --steps 3 --transforms none --device cpu ";
    Path named = tmp.resolve("imagenet");
    Path spelled = tmp.resolve("spelled");
    Path none = tmp.resolve("none");
    CliRunner.ok(line + "--normalize imagenet --out {}", m, named);
    // torchvision's published ImageNet statistics, typed out.
    CliRunner.ok(line + "--mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --out {}", m, spelled);
    CliRunner.ok(line + "--normalize none --out {}", m, none);
    String results = Files.readString(named.resolve("results.json"));
    assertEquals(Files.readString(spelled.resolve("results.json")), results);
    assertTrue(!results.equals(Files.readString(none.resolve("results.json"))), results);

    CliRunner unknown =
        CliRunner.line(line + "--normalize cifar --out {}", m, tmp.resolve("bad-1"));
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.err().contains("--normalize cifar: expected imagenet, none"), unknown.err());
    CliRunner both =
        CliRunner.line(line + "--normalize imagenet --std 0.5 --out {}", m, tmp.resolve("bad-2"));
    assertEquals(2, both.exitCode());
    assertTrue(both.err().contains("give one or the other"), both.err());
    CliRunner grey =
        CliRunner.line(
            "render --model {} --layer relu1 --unit 0 --steps 3 --normalize imagenet --out {}",
            model(),
            tmp.resolve("bad-3"));
    assertEquals(2, grey.exitCode());
    assertTrue(grey.err().contains("3 values but the input has 1 channels"), grey.err());
    // refused when the model opens, before a sweep writes anything into its folder
    Path sweep = tmp.resolve("bad-4");
    CliRunner greySweep =
        CliRunner.line(
            "sweep --model {} --layers relu1 --steps 3 --normalize imagenet --out {}",
            model(),
            sweep);
    assertEquals(2, greySweep.exitCode());
    assertTrue(greySweep.err().contains("3 values but the input has 1 channels"), greySweep.err());
    assertTrue(!Files.exists(sweep.resolve("sweep.json")), "a sweep.json was written");
  }

  @Test
  void sweepResultsRecordTheBackendAndItsMathMode() throws Exception {
    Path out = tmp.resolve("sweep-tf32");
    CliRunner r =
        CliRunner.ok(
            "sweep --model {} --layers relu1 --steps 2 "
                + "--transforms none --device emulated --math tf32 "
                + "--out {}",
            model(),
            out);
    List<String> rows = Files.readAllLines(out.resolve("results.csv"));
    assertTrue(rows.get(0).contains(",backend,"), rows.get(0));
    assertTrue(rows.get(1).contains("emulated (CUDA host emulator, tf32)"), rows.get(1));
  }

  @Test
  void sweepWritesResultsAndResumes() throws Exception {
    String m = model().toString();
    Path out = tmp.resolve("sweep");
    String[] args =
        CommandWords.of(
            "sweep --model {} --layers relu1 --batch 1 --steps 3 --transforms none --out {}",
            m,
            out);
    CliRunner first = CliRunner.run(args);
    assertEquals(0, first.exitCode(), first.err());
    assertTrue(first.out().contains("2 units"), first.out());
    assertEquals(3, Files.readAllLines(out.resolve("results.csv")).size());
    CliRunner second = CliRunner.run(args);
    assertEquals(0, second.exitCode(), second.err());
    assertTrue(second.out().contains("resuming: 2 of 2 units already done"), second.out());
  }
}
