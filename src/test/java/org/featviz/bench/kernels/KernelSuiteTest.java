package org.featviz.bench.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.featviz.cli.Main;
import org.featviz.device.Device;
import org.featviz.device.emu.EmulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel benchmark suite on the host emulator at small sizes, as CI runs it: every registered
 * benchmark's device result must match its CPU twin, and kernels.md / kernels.json must be written
 * with one row each. No timing is asserted (emulator timings are not GPU timings).
 */
class KernelSuiteTest {
  @TempDir Path dir;

  @Test
  void everyBenchmarkPassesItsCheckOnTheEmulatorAndTheFilesAreWritten() throws Exception {
    Path out = dir.resolve("bench");
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(stdout, true),
            new PrintWriter(stderr, true),
            "bench",
            "kernels",
            "--device",
            "emulated",
            "--sizes",
            "small",
            "--out",
            out.toString());
    String log = stdout + "\n" + stderr;
    assertEquals(0, code, log);

    List<String> expected = new ArrayList<>();
    expected.add("device_copy");
    for (KernelBenchmark b : KernelBenchmarks.all()) expected.add(b.name());

    JsonObject json =
        JsonParser.parseString(Files.readString(out.resolve("kernels.json"))).getAsJsonObject();
    assertFalse(json.get("gpu").getAsBoolean());
    assertTrue(json.get("all_passed").getAsBoolean(), log);
    assertEquals(KernelSuite.EMULATOR_TIMING, json.get("timing").getAsString());
    assertTrue(json.getAsJsonObject("environment").has("java"), json.toString());
    JsonArray rows = json.getAsJsonArray("rows");
    List<String> names = new ArrayList<>();
    for (JsonElement e : rows) {
      JsonObject row = e.getAsJsonObject();
      String name = row.get("name").getAsString();
      names.add(name);
      assertTrue(row.get("passed").getAsBoolean(), name + ": " + log);
      double error = row.get("error").getAsDouble();
      assertTrue(error <= row.get("tolerance").getAsDouble(), name + " error " + error);
      assertTrue(row.get("bytes").getAsLong() > 0, name + " moves no bytes");
      assertEquals(KernelSuite.EMU_RUNS, row.get("runs").getAsInt(), name);
      assertTrue(row.get("fraction_of_copy").isJsonNull(), name + ": a ceiling on the emulator");
    }
    assertEquals(expected, names);

    String md = Files.readString(out.resolve("kernels.md"));
    assertTrue(md.contains("Emulator, not GPU timing"), md);
    for (String name : expected) assertTrue(md.contains("| " + name + " |"), name + " in\n" + md);
    assertFalse(md.contains("FAILED"), md);
    assertTrue(log.contains("[" + KernelSuite.EMULATOR_TIMING + "]"), log);
    assertTrue(log.contains(expected.size() + " of " + expected.size() + " checks passed"), log);
  }

  @Test
  void badOptionsAreOneLineErrorsBeforeAnyWork() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    String[][] cases = {
      {"--device", "cpu", "featviz: error: --device cpu: expected gpu or emulated"},
      {"--sizes", "huge", "featviz: error: --sizes huge: expected small or full"},
      {"--out", file.toString(), "featviz: error: --out " + file + ": is a file, not a folder"}
    };
    for (String[] c : cases) {
      StringWriter err = new StringWriter();
      List<String> args = new ArrayList<>(List.of("bench", "kernels"));
      if (!c[0].equals("--device")) args.addAll(List.of("--device", "emulated"));
      args.add(c[0]);
      args.add(c[1]);
      int code =
          Main.run(
              new PrintWriter(new StringWriter(), true),
              new PrintWriter(err, true),
              args.toArray(String[]::new));
      assertEquals(2, code, err.toString());
      assertEquals(c[2], err.toString().strip());
    }
  }

  /** A benchmark whose device output is NaN (or wrong) fails its check, is not timed, exits 1. */
  @Test
  void aWrongOrNaNResultFailsTheCheckAndIsNotTimed() {
    List<KernelBenchmark> broken =
        List.of(fake("nan_kernel", Double.NaN), fake("wrong_kernel", 1e-2));
    try (Device device = new EmulatedDevice()) {
      KernelSuite.Report report =
          KernelSuite.run(
              device, BenchSize.SMALL, 1, broken, new PrintWriter(new StringWriter(), true));
      assertFalse(report.allPassed());
      assertEquals(3, report.rows().size());
      assertTrue(report.rows().get(0).passed(), "device_copy");
      for (KernelSuite.Row row : report.rows().subList(1, 3)) {
        assertFalse(row.passed(), row.name());
        assertEquals(0, row.runs(), row.name() + " was timed");
        assertTrue(Double.isNaN(row.medianMs()), row.name());
      }
      assertTrue(KernelSuite.markdown(report).contains("FAILED"));
    }
  }

  @Test
  void relativeErrorIsScaledByTheLargestExpectedValueAndNaNNeverPasses() {
    assertEquals(0.0, Errors.relative(new float[] {1f, -4f}, new float[] {1f, -4f}));
    assertEquals(0.25, Errors.relative(new float[] {0f, -4f}, new float[] {1f, -4f}), 1e-12);
    assertTrue(Double.isNaN(Errors.relative(new float[] {1f}, new float[] {Float.NaN})));
    assertTrue(
        Double.isNaN(Errors.relative(new float[] {1f}, new float[] {Float.POSITIVE_INFINITY})));
    assertTrue(Double.isNaN(Errors.relative(new float[] {1f}, new float[] {1f, 2f})));
    assertTrue(Double.isNaN(Errors.worst(0, Double.NaN)));
  }

  @Test
  void benchmarkNamesAreUniqueAndTheRegistryCoversSeveralKernelFiles() {
    Set<String> names = new HashSet<>();
    Set<String> files = new HashSet<>();
    for (KernelBenchmark b : KernelBenchmarks.all()) {
      assertTrue(names.add(b.name()), b.name());
      files.add(b.kernels().replaceAll(".*\\((.*)\\).*", "$1"));
    }
    assertTrue(files.size() >= 4, files.toString());
  }

  private static KernelBenchmark fake(String name, double error) {
    return new RenderKernelBenchmarks.Simple(name, name + " (none)") {
      @Override
      public KernelBenchmark.Prepared prepare(Device device, BenchSize size, Random rng) {
        return new Owned(device, "[1]", 4, 1, 1e-5) {
          @Override
          public double check() {
            return error;
          }

          @Override
          public void launch() {
            throw new AssertionError("a benchmark that failed its check was launched for timing");
          }
        };
      }
    };
  }
}
