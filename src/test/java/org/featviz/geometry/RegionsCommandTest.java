package org.featviz.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.featviz.cli.CliRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code featviz regions} end to end on a hand-built layer, and its errors. */
class RegionsCommandTest {
  @TempDir Path dir;

  /** Three lines x = 1, y = 1, x + y = 0.5 in the plane: 7 regions, all inside [-3, 3]^2. */
  private Path threeLines() {
    float[] w = {1, 0, 0, 1, 1, 1};
    float[] b = {-1, -1, -0.5f};
    return GeometryModels.gemmRelu(dir.resolve("three.onnx"), 2, w, b);
  }

  @Test
  void aPlaneMapCountsDrawsAndSummarizes() throws Exception {
    Path out = dir.resolve("plane");
    CliRunner r =
        CliRunner.ok(
            "regions --model {} --layer relu1 --plane basis:0,1 "
                + "--anchor zero --extent 3 --resolution 200 "
                + "--out {}",
            threeLines(),
            out);
    assertTrue(r.out().contains("7 regions seen on a 200 x 200 grid"), r.out());
    JsonObject s =
        JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject();
    assertEquals(7, s.get("regions_seen").getAsInt());
    assertEquals(3, s.get("units_crossing_view").getAsInt());
    assertEquals(7, s.get("bound_view").getAsInt());
    assertEquals("fc1", s.get("units_value").getAsString());
    BufferedImage map = ImageIO.read(out.resolve("regions.png").toFile());
    assertEquals(200, map.getWidth());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < 200; y++) for (int x = 0; x < 200; x++) colours.add(map.getRGB(x, y));
    assertTrue(colours.size() >= 8, "7 region colours and the boundaries: " + colours.size());
    assertTrue(Files.size(out.resolve("zero-lines.png")) > 0);
  }

  /**
   * Directions and anchor from files: the plane spanned by (2, 0) and (1, 1) through (0, 0) is the
   * basis plane (directions orthonormalized), so it shows the same 7 regions.
   */
  @Test
  void directionsAndAnchorFromFiles() throws Exception {
    Path dirs = dir.resolve("dirs.txt");
    Files.writeString(dirs, "# two directions\n2, 0\n\n1 1\n");
    Path at = dir.resolve("anchor.txt");
    Files.writeString(at, "0 0\n");
    Path out = dir.resolve("files");
    CliRunner r =
        CliRunner.ok(
            "regions --model {} --layer relu1 --plane file:"
                + dirs
                + " --anchor file:"
                + at
                + " --extent 3 --resolution 120 --device cpu --out {}",
            threeLines(),
            out);
    assertTrue(r.out().contains("7 regions seen on a 120 x 120 grid"), r.out());
  }

  /** The same map on the emulated device (GEMM and sign-pattern kernel) as on the CPU. */
  @Test
  void theEmulatedDeviceDrawsTheSameMap() throws Exception {
    Path cpu = dir.resolve("cpu");
    Path emu = dir.resolve("emu");
    String args =
        "regions --model {} --layer relu1 --plane random:5 --anchor zero --extent 3 --resolution 64";
    CliRunner.ok(args + " --device cpu --out {}", threeLines(), cpu);
    CliRunner r = CliRunner.ok(args + " --device emulated --out {}", threeLines(), emu);
    assertTrue(r.out().contains("grid evaluated on"), r.out());
    JsonObject s =
        JsonParser.parseString(Files.readString(emu.resolve("summary.json"))).getAsJsonObject();
    assertTrue(s.get("evaluated_on").getAsString().contains("GEMM"), s.toString());
    assertEquals(7, s.get("regions_seen").getAsInt());
    BufferedImage a = ImageIO.read(cpu.resolve("regions.png").toFile());
    BufferedImage b = ImageIO.read(emu.resolve("regions.png").toFile());
    int differ = 0;
    for (int y = 0; y < 64; y++)
      for (int x = 0; x < 64; x++) if (a.getRGB(x, y) != b.getRGB(x, y)) differ++;
    assertEquals(0, differ, "pixels that differ between the CPU and the emulated device");
  }

  @Test
  void aLineListsItsFlips() throws Exception {
    Path out = dir.resolve("line");
    CliRunner r =
        CliRunner.ok(
            "regions --model {} --layer relu1 --line basis:0 "
                + "--anchor zero --extent 3 --out {}",
            threeLines(),
            out);
    // along the x axis: unit 0 flips at x = 1, unit 2 at x = 0.5, unit 1 (y = 1) never
    List<String> flips = Files.readAllLines(out.resolve("flips.csv"));
    assertEquals("unit,s", flips.get(0));
    assertEquals(3, flips.size(), flips.toString());
    assertTrue(flips.get(1).startsWith("2,0.5"), flips.toString());
    assertTrue(
        flips.get(2).startsWith("0,1.0") || flips.get(2).startsWith("0,0.9999"), flips.toString());
    assertTrue(Files.size(out.resolve("profile.png")) > 0);
    assertTrue(Files.readString(out.resolve("profile.svg")).contains("<svg"));
  }

  private Path threeNumbers() {
    try {
      return Files.writeString(dir.resolve("three.txt"), "1 2 3\n0 1 0\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void badInputIsOneLineAndExitTwo() {
    String model = threeLines().toString();
    String out = dir.resolve("bad").toString();
    String[][] cases = {
      {"--plane", "basis:0,1", "--line", "basis:0"},
      {"--plane", "basis:0,5", "--anchor", "zero", "--extent", "1"},
      {"--plane", "circle:3"},
      {"--plane", "basis:0,1", "--space", "outer"},
      {"--plane", "basis:0,1", "--anchor", "zero", "--extent", "-1"},
      {"--plane", "file:" + threeNumbers(), "--anchor", "zero", "--extent", "1"},
      {"--plane", "basis:0,1", "--anchor", "file:" + dir.resolve("missing.txt"), "--extent", "1"},
      {"--plane", "basis:0,1", "--device", "tpu"},
    };
    String[] expected = {
      "give one of --plane or --line",
      "axis 5 is not in 0..1",
      "--plane circle:3: expected basis",
      "--space outer: expected layer or input",
      "--extent -1.0: must be a finite number > 0",
      "has 3 numbers; 'x' has 2 dimensions",
      "cannot read",
      "--device tpu: expected",
    };
    for (int i = 0; i < cases.length; i++) {
      List<String> args =
          new java.util.ArrayList<>(List.of("regions", "--model", model, "--layer", "relu1"));
      args.addAll(List.of(cases[i]));
      args.addAll(List.of("--out", out + i));
      CliRunner r = CliRunner.run(args.toArray(String[]::new));
      assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.err().contains(expected[i]), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
  }
}
