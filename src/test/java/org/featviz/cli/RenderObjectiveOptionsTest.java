package org.featviz.cli;

import static org.featviz.CommandWords.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.featviz.BundledModels;
import org.featviz.CommandWords;
import org.featviz.TestData;
import org.featviz.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The objectives that need more than a unit, from the command line: whitened objectives with their
 * whitening estimated from Fashion-MNIST images, and --penalty on another layer; recorded in
 * results and sweep settings, the same on the emulated device as on the CPU, and clear errors for
 * bad values.
 */
class RenderObjectiveOptionsTest {
  @TempDir Path tmp;

  private static String model() {
    return BundledModels.path("fashion-cnn").toString();
  }

  private static JsonArray results(Path out) throws Exception {
    return JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonArray();
  }

  @Test
  void whitenedObjectivesEstimateTheirWhiteningFromDataOnCpuAndDevice() throws Exception {
    TestData.require(FashionMnist.defaultDir(), "dataset-fashion-mnist");
    String[] common =
        CommandWords.of(
            "render --model {} --layer relu2 --unit 0-1 "
                + "--objective whitened-dot:images=40 --steps 3 "
                + "--transforms none --math fp32",
            model());
    Path cpu = tmp.resolve("cpu");
    CliRunner c = CliRunner.run(concat(common, "--device", "cpu", "--out", cpu.toString()));
    assertEquals(0, c.exitCode(), c.err());
    assertTrue(c.err().contains("whitening of relu2 estimated from 40 fashion-mnist"), c.err());
    Path dev = tmp.resolve("dev");
    CliRunner d = CliRunner.run(concat(common, "--device", "emulated", "--out", dev.toString()));
    assertEquals(0, d.exitCode(), d.err());
    JsonArray a = results(cpu);
    JsonArray b = results(dev);
    for (int i = 0; i < 2; i++) {
      JsonObject x = a.get(i).getAsJsonObject();
      JsonObject y = b.get(i).getAsJsonObject();
      assertTrue(
          x.get("objective").getAsString().startsWith("whitenedDirection(relu2"), x.toString());
      double v = x.get("objective_value").getAsDouble();
      assertTrue(Double.isFinite(v), x.toString());
      assertEquals(
          v, y.get("objective_value").getAsDouble(), 1e-3 * (1 + Math.abs(v)), "unit " + i);
    }
  }

  @Test
  void aPenaltyIsAddedToEveryUnitAndPinnedInASweep() throws Exception {
    Path out = tmp.resolve("render");
    CliRunner r =
        CliRunner.ok(
            "render --model {} --layer relu2 --unit 0 --steps 3 "
                + "--transforms none --device cpu --penalty relu1:l2:0.1 "
                + "--out {}",
            model(),
            out);
    String objective = results(out).get(0).getAsJsonObject().get("objective").getAsString();
    assertEquals("channel(relu2, 0) + layerPenalty(relu1, L2, 0.1)", objective);

    Path sweep = tmp.resolve("sweep");
    String[] common =
        CommandWords.of(
            "sweep --model {} --layers relu1 --units 0-1 "
                + "--steps 2 --transforms none --device cpu --out {}",
            model(),
            sweep);
    CliRunner first = CliRunner.run(concat(common, "--penalty", "relu1:l1:0.5"));
    assertEquals(0, first.exitCode(), first.err());
    CliRunner other = CliRunner.run(concat(common, "--penalty", "relu1:l1:0.25"));
    assertEquals(2, other.exitCode(), other.out());
    assertTrue(
        other
            .err()
            .contains(
                "objective: \"channel + penalty relu1:l1:0.5\" there, \"channel + penalty"
                    + " relu1:l1:0.25\" now"),
        other.err());
  }

  @Test
  void badPenaltiesAndWhiteningOptionsAreClearErrors() {
    String out = tmp.resolve("x").toString();
    String[] base =
        CommandWords.of(
            "render --model {} --layer relu2 --unit 0 --device cpu --out {}", model(), out);
    CliRunner norm = CliRunner.run(concat(base, "--penalty", "relu1:l3:1"));
    assertEquals(2, norm.exitCode());
    assertTrue(norm.err().contains("norm 'l3' is not l1 or l2"), norm.err());
    CliRunner weight = CliRunner.run(concat(base, "--penalty", "relu1:l1:-2"));
    assertEquals(2, weight.exitCode());
    assertTrue(weight.err().contains("weight must be a finite number >= 0"), weight.err());
    CliRunner layer = CliRunner.run(concat(base, "--penalty", "nope:l1:1"));
    assertEquals(2, layer.exitCode());
    assertTrue(layer.err().contains("unknown layer 'nope'"), layer.err());
    CliRunner images = CliRunner.run(concat(base, "--objective", "whitened-cosine:images=0"));
    assertEquals(2, images.exitCode());
    assertTrue(images.err().contains("images=0 must be a positive whole number"), images.err());
    CliRunner data =
        CliRunner.run(
            concat(
                base,
                "--objective",
                "whitened-channel",
                "--data-dir",
                tmp.resolve("no-such-dir").toString()));
    assertEquals(2, data.exitCode());
    assertTrue(data.err().contains("no-such-dir"), data.err());
    assertFalse(Files.exists(Path.of(out, "results.json")), "nothing written");
  }

  @Test
  void theCpuNotesOnlyAMathModeSomeoneChose() {
    String[] base =
        CommandWords.of(
            "render --model {} --layer relu1 --unit 0 --steps 1 "
                + "--device cpu --transforms none",
            model());
    CliRunner plain = CliRunner.run(concat(base, "--out", tmp.resolve("a").toString()));
    assertEquals(0, plain.exitCode(), plain.err());
    assertFalse(plain.err().contains("applies to device backends"), plain.err());
    CliRunner chosen =
        CliRunner.run(concat(base, "--math", "bf16", "--out", tmp.resolve("b").toString()));
    assertEquals(0, chosen.exitCode(), chosen.err());
    assertTrue(chosen.err().contains("math mode bf16 applies to device backends"), chosen.err());
  }
}
