package org.featviz.cli;

import static org.featviz.CommandWords.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.featviz.BundledModels;
import org.featviz.CommandWords;
import org.featviz.TestData;
import org.featviz.backend.Backend;
import org.featviz.data.FashionMnist;
import org.featviz.device.DeviceTesting;
import org.featviz.onnx.TinyModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code featviz render} and {@code sweep} with {@code --device}: the device render loop writes the
 * same outputs as the CPU one, with the same statuses and nearly the same activations. Subclasses
 * say the device with {@code @OnEmulator} (CI: RenderDeviceOptionTest) or {@code @OnGpu}
 * (RenderDeviceGpuTest, which skips without a GPU).
 */
abstract class RenderDeviceCases {
  @TempDir Path tmp;

  private final Backend backend = DeviceTesting.backendOf(getClass());

  @BeforeEach
  void needsItsDevice() {
    if (backend == Backend.GPU) DeviceTesting.assumeGpu();
  }

  /** The --device value: "emulated" or "gpu". */
  protected String device() {
    return backend.label();
  }

  /**
   * x [N, 1, 6, 6] -> conv (3, 3x3, pad 1) -> relu; unit 2 has zero weights (it never fires: dead).
   */
  Path model() {
    return TinyModels.convRelu(
        tmp.resolve("m.onnx"), 6, Arrays.copyOf(TinyModels.sines(2 * 9), 3 * 9));
  }

  private static JsonArray results(Path out) throws Exception {
    return JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonArray();
  }

  /**
   * One command's results on this class's device (written to dev, kept for checks) and on the CPU.
   */
  private record OnBoth(Path dev, JsonArray device, JsonArray cpu) {}

  /**
   * Runs the command with --device (this class's, then cpu) and --out (tmp/dev{suffix},
   * tmp/cpu{suffix}).
   */
  private OnBoth onDeviceAndCpu(String suffix, String... command) throws Exception {
    Path dev = tmp.resolve("dev" + suffix);
    Path cpu = tmp.resolve("cpu" + suffix);
    CliRunner r = CliRunner.run(concat(command, "--device", device(), "--out", dev.toString()));
    assertEquals(0, r.exitCode(), r.err());
    CliRunner c = CliRunner.run(concat(command, "--device", "cpu", "--out", cpu.toString()));
    assertEquals(0, c.exitCode(), c.err());
    return new OnBoth(dev, results(dev), results(cpu));
  }

  /** Both ran the same units with the same statuses and seeds, activations to 1e-4 relative. */
  private static void assertSameUnits(OnBoth both, int units) {
    assertEquals(units, both.device().size());
    for (int i = 0; i < units; i++) {
      JsonObject a = both.device().get(i).getAsJsonObject();
      JsonObject b = both.cpu().get(i).getAsJsonObject();
      assertEquals(b.get("status").getAsString(), a.get("status").getAsString(), "unit " + i);
      assertEquals(b.get("seed").getAsLong(), a.get("seed").getAsLong(), "unit " + i);
      assertEquals(
          b.get("activation").getAsDouble(),
          a.get("activation").getAsDouble(),
          1e-4 * (1 + Math.abs(b.get("activation").getAsDouble())),
          "unit " + i);
    }
  }

  @Test
  void renderWritesTheCpusOutputs() throws Exception {
    OnBoth both =
        onDeviceAndCpu(
            "",
            CommandWords.of(
                "render --model {} --layer relu1 --unit 0-2 "
                    + "--steps 3 --transforms small --param pixel",
                model()));
    for (String f :
        List.of(
            "relu1_unit_0000.png", "relu1_unit_0002.png", "contact_sheet.png", "results.json")) {
      assertTrue(Files.exists(both.dev().resolve(f)), f);
    }
    assertSameUnits(both, 3);
    JsonArray d = both.device();
    assertEquals(
        "dead",
        d.get(2).getAsJsonObject().get("status").getAsString(),
        "the unit with zero weights");
    // Where each ran, with the device's default math mode.
    String backend = d.get(0).getAsJsonObject().get("backend").getAsString();
    assertTrue(backend.startsWith(device() + " (") && backend.endsWith(", tf32)"), backend);
    assertEquals("cpu", both.cpu().get(0).getAsJsonObject().get("backend").getAsString());
  }

  @Test
  void renderWithDiversityAndRegularizersRunsOnTheDevice() throws Exception {
    // Once refused on a device ("batch terms run on the CPU backend only"): now the device computes
    // the term.
    assertSameUnits(
        onDeviceAndCpu(
            "-div",
            CommandWords.of(
                "render --model {} --layer relu1 --unit 0-2 "
                    + "--steps 3 --transforms none --param pixel "
                    + "--diversity 2 --tv 0.5 --blur 0.5 --l1 0.1",
                model())),
        3);
  }

  @Test
  void whitenedObjectiveWithAPenaltyMatchesTheCpu() throws Exception {
    // The whitening is estimated from data on the CPU either way; the device runs the whitened
    // direction and the
    // layer penalty as fused kernels. FP32 on the device, so only rounding (grown over 8 Adam
    // steps) may differ.
    TestData.require(FashionMnist.defaultDir(), FashionMnist.DEBIAN_PACKAGE);
    OnBoth both =
        onDeviceAndCpu(
            "-whitened",
            CommandWords.of(
                "render --model {} --layer relu2 --unit 0-1 "
                    + "--objective whitened-dot --penalty relu1:l2:0.1 "
                    + "--steps 8 --transforms small --math fp32",
                BundledModels.path("fashion-cnn")));
    JsonArray d = both.device();
    JsonArray e = both.cpu();
    assertEquals(2, d.size());
    for (int i = 0; i < 2; i++) {
      JsonObject a = d.get(i).getAsJsonObject();
      JsonObject b = e.get(i).getAsJsonObject();
      assertEquals(
          "whitenedDirection(relu2, e" + i + " of 64) + layerPenalty(relu1, L2, 0.1)",
          a.get("objective").getAsString());
      assertEquals(b.get("objective").getAsString(), a.get("objective").getAsString());
      assertEquals(b.get("status").getAsString(), a.get("status").getAsString(), "unit " + i);
      for (String key : List.of("objective_value", "activation")) {
        double want = b.get(key).getAsDouble();
        assertTrue(Double.isFinite(want), key + " of unit " + i + " on the CPU: " + want);
        assertEquals(
            want, a.get(key).getAsDouble(), 1e-3 * (1 + Math.abs(want)), key + " of unit " + i);
      }
    }
    Path dev = both.dev();
    assertTrue(
        Files.exists(dev.resolve("relu2_unit_0001.png"))
            && Files.exists(dev.resolve("contact_sheet.png")));
  }

  @Test
  void sweepRunsOnTheDevice() throws Exception {
    Path out = tmp.resolve("sweep");
    CliRunner r =
        CliRunner.ok(
            "sweep --model {} --layers relu1 --batch 2 "
                + "--steps 2 --transforms none --device {} --out {}",
            model(),
            device(),
            out);
    assertTrue(r.out().contains("3 units") && r.out().contains("1 dead"), r.out());
    assertEquals(4, Files.readAllLines(out.resolve("results.csv")).size());
  }
}
