package org.featviz.directions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.featviz.cli.Main;
import org.featviz.onnx.DenseModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code featviz directions} end to end on a small hand-built net, and its refusals. */
class DirectionsCommandTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path net() {
    float[] w = new float[16];
    for (int i = 0; i < 4; i++) w[i * 4 + i] = i + 1;
    return DenseModels.oneLayer(4, w, new float[4], true)
        .output("relu1", "N", 4)
        .write(dir.resolve("n.onnx"));
  }

  @Test
  void aRunWritesItsTablesAndPictures() throws Exception {
    Path out = dir.resolve("out");
    Run r =
        run(
            "directions",
            "--model",
            net().toString(),
            "--layer",
            "relu1",
            "--count",
            "4",
            "--steps",
            "8",
            "--param",
            "pixel",
            "--transforms",
            "none",
            "--device",
            "cpu",
            "--out",
            out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("relu1 cosine: median basis"), r.out());
    List<String> csv = Files.readAllLines(out.resolve("directions.csv"));
    assertEquals(1 + 8, csv.size(), "a header and 4 + 4 rows");
    assertTrue(Files.exists(out.resolve("summary.json")));
    assertTrue(Files.exists(out.resolve("side_by_side_relu1.png")));
    assertTrue(Files.exists(out.resolve("plots/measures_relu1.png")));
  }

  @Test
  void badInputIsOneLineAndExitStatusTwo() {
    String model = net().toString();
    String o = dir.resolve("bad").toString();
    Object[][] cases = {
      {new String[] {"--layer", "relu1", "--count", "5"}, "--count 5: layer 'relu1' has 4 units"},
      {new String[] {"--layer", "nope", "--count", "2"}, "unknown layer 'nope'"},
      {new String[] {"--layer", "relu1", "--count", "1"}, "--count 1: must be at least 2"},
      {new String[] {"--layer", "relu1", "--count", "x"}, "--count"},
      {new String[] {"--layer", "relu1", "--count", "2", "--whitened"}, "--whitened needs"},
    };
    for (Object[] c : cases) {
      String[] extra = (String[]) c[0];
      String[] args = new String[extra.length + 7];
      args[0] = "directions";
      args[1] = "--model";
      args[2] = model;
      System.arraycopy(extra, 0, args, 3, extra.length);
      args[extra.length + 3] = "--out";
      args[extra.length + 4] = o;
      args[extra.length + 5] = "--device"; // no note on which backend AUTO chose
      args[extra.length + 6] = "cpu";
      Run r = run(args);
      assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.err().contains((String) c[1]), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
  }
}
