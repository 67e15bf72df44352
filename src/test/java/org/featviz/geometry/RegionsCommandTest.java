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
    };
    String[] expected = {
      "give one of --plane or --line",
      "axis 5 is not in 0..1",
      "--plane circle:3: expected basis",
      "--space outer: expected layer or input",
      "--extent -1.0: must be a finite number > 0",
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
