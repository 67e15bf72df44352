package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.data.FashionMnist;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * featviz analyze on the bundled CNN: units.csv and layers.csv complete and numeric, a second run
 * resumes its renders, and measures that do not fit the layer are refused before anything renders.
 */
class AnalyzeCommandTest {
  @TempDir Path tmp;

  private String model;

  @BeforeEach
  void data() {
    TestData.require(
        FashionMnist.defaultDir().resolve("t10k-images-idx3-ubyte.gz"), "dataset-fashion-mnist");
    model = BundledModels.path("fashion-cnn").toString();
  }

  private CliRunner analyze(Path out, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "analyze",
                "--model",
                model,
                "--steps",
                "6",
                "--images",
                "200",
                "--device",
                "cpu",
                "--out",
                out.toString()));
    args.addAll(List.of(more));
    return CliRunner.run(args.toArray(String[]::new));
  }

  @Test
  void writesEveryUnitsMeasuresAndEachLayersCorrelationsAndResumes() throws Exception {
    Path out = tmp.resolve("an");
    CliRunner r = analyze(out, "--layers", "relu2", "--units", "0-3");
    assertEquals(0, r.exitCode(), r.err());
    List<String> units = Files.readAllLines(out.resolve("units.csv"));
    assertEquals(5, units.size(), "a header and four units");
    assertTrue(
        units.get(0).startsWith("layer,unit,selectivity,preferred_class,rs_am,"), units.get(0));
    for (String row : units.subList(1, units.size())) {
      String[] cells = row.split(",", -1);
      assertEquals(units.get(0).split(",").length, cells.length, row);
      double selectivity = Double.parseDouble(cells[2]);
      assertTrue(selectivity >= 0 && selectivity <= 1, row);
      double rs = Double.parseDouble(cells[4]);
      assertTrue(rs >= 0 && rs < 1, row);
    }
    List<String> layers = Files.readAllLines(out.resolve("layers.csv"));
    assertEquals(1 + 6, layers.size(), "four measures, six pairs: " + layers);
    assertTrue(r.out().contains("relu2: rho(rs_am, selectivity) = "), r.out());
    assertTrue(r.err().contains("dataset passes and ablations on cpu\n"), r.err());
    assertTrue(
        Files.readString(out.resolve("report.html"))
            .contains("Dataset passes and ablations evaluated on cpu."),
        "report.html says where the ablations ran");
    assertTrue(
        Files.exists(out.resolve("am/relu2/unit_0003.png"))
            && Files.exists(out.resolve("iam/results.csv")));
    for (int u = 0; u < 4; u++) {
      java.awt.image.BufferedImage sheet =
          javax.imageio.ImageIO.read(
              out.resolve(String.format("exemplars/relu2/unit_%04d.png", u)).toFile());
      assertTrue(
          sheet.getWidth() > 3 * 56 && sheet.getHeight() > 3 * 56, "a 3 x 3 sheet of exemplars");
    }

    CliRunner again =
        analyze(out, "--layers", "relu2", "--units", "0-3", "--ablation", "single,cumulative");
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.out().contains("resuming: 4 of 4 units already done"), again.out());
    assertEquals(
        units,
        Files.readAllLines(out.resolve("units.csv")),
        "the same measures from the same renders");

    // 3 random orders, selectivity and the two RS kinds each high and low first: 9 curves of 11
    // points. Every
    // curve starts at the intact network and ends with all four units ablated, whatever its order.
    List<String> curves = Files.readAllLines(out.resolve("ablation.csv"));
    assertEquals(1 + 9 * 11, curves.size());
    java.util.Set<String> starts = new java.util.HashSet<>();
    java.util.Set<String> ends = new java.util.HashSet<>();
    for (String row : curves.subList(1, curves.size())) {
      String[] c = row.split(",");
      if (c[2].equals("0.0")) starts.add(c[4]);
      if (c[2].equals("1.0")) {
        ends.add(c[4]);
        assertEquals("4", c[3], row);
      }
    }
    assertEquals(1, starts.size(), "one intact accuracy: " + starts);
    assertEquals(1, ends.size(), "one all-ablated accuracy: " + ends);
    assertEquals(1 + 9, Files.readAllLines(out.resolve("ablation_auc.csv")).size());
    for (String plot : List.of("by_depth", "rs_vs_selectivity_relu2", "ablation_relu2"))
      assertTrue(Files.isRegularFile(out.resolve("plots/" + plot + ".svg")), plot);
    assertTrue(again.out().contains("report in " + out.resolve("report.html")), again.out());
    assertTrue(Files.readString(out.resolve("report.html")).contains("relu2"));
  }

  @Test
  void rendersSharedOverTwoWorkersGiveTheTablesOfOne() throws Exception {
    CliRunner one = analyze(tmp.resolve("one"), "--layers", "relu2", "--units", "0-1");
    assertEquals(0, one.exitCode(), one.err());
    CliRunner two =
        analyze(tmp.resolve("two"), "--layers", "relu2", "--units", "0-1", "--devices", "cpu:2");
    assertEquals(0, two.exitCode(), two.err());
    assertTrue(two.out().contains("2 workers: 2 x cpu"), two.out());
    for (String file : List.of("units.csv", "am/results.jsonl", "iam/results.jsonl")) {
      assertEquals(
          Files.readString(tmp.resolve("one").resolve(file)),
          Files.readString(tmp.resolve("two").resolve(file)),
          file);
    }
    CliRunner none =
        analyze(tmp.resolve("none"), "--layers", "relu2", "--units", "0-1", "--devices", "cpu:0");
    assertEquals(2, none.exitCode(), none.err());
    assertEquals(
        "featviz: error: --devices cpu:0: the number of workers must be 1 to 64, not 0",
        none.err().strip());
  }

  @Test
  void measuresThatDoNotFitAreRefusedBeforeAnyRender() {
    Path out = tmp.resolve("bad");
    CliRunner negative = analyze(out, "--layers", "conv1", "--units", "0-3");
    assertEquals(2, negative.exitCode(), negative.out());
    assertTrue(
        negative.err().contains("negative mean activation")
            && negative.err().contains("--negatives clamp"),
        negative.err());
    assertFalse(Files.exists(out.resolve("am")), "nothing was rendered");

    CliRunner clamped =
        analyze(
            out,
            "--layers",
            "conv1",
            "--units",
            "0-1",
            "--negatives",
            "clamp",
            "--objectives",
            "am");
    assertEquals(0, clamped.exitCode(), clamped.err());

    CliRunner one = analyze(tmp.resolve("one"), "--layers", "relu2", "--units", "3");
    assertEquals(2, one.exitCode());
    assertTrue(one.err().contains("needs at least 2 units"), one.err());

    CliRunner kind = analyze(tmp.resolve("kind"), "--layers", "relu2", "--objectives", "am,magic");
    assertEquals(2, kind.exitCode());
    assertTrue(kind.err().contains("--objectives am,magic: expected am, iam or both"), kind.err());
  }

  @Test
  void badAblationReplacementAndRsEveryAreRefusedNamingTheFlag() {
    String[][] cases = {
      {"--ablation-replace", "median", "--ablation-replace median: expected zero or mean"},
      {"--rs-every", "-1", "--rs-every -1: must be 0 (only the final RS) or more"},
    };
    for (String[] c : cases) {
      Path out = tmp.resolve("bad-" + c[0].substring(2));
      CliRunner r = analyze(out, "--layers", "relu2", "--units", "0-1", c[0], c[1]);
      assertEquals(2, r.exitCode(), c[0] + " " + c[1] + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
      assertTrue(r.err().contains(c[2]), r.err());
      assertFalse(r.err().contains("Exception"), r.err());
      assertFalse(Files.exists(out.resolve("am")), "nothing was rendered");
    }
    CliRunner notANumber =
        analyze(tmp.resolve("nan"), "--layers", "relu2", "--units", "0-1", "--rs-every", "often");
    assertEquals(2, notANumber.exitCode());
    assertTrue(notANumber.err().contains("--rs-every"), notANumber.err());
  }

  @Test
  void rsEveryRecordsTheTrajectoryAndTheMeanReplacesAnAblatedUnit() throws Exception {
    String[] common = {"--layers", "relu2", "--units", "0-1", "--objectives", "am"};
    Path zero = tmp.resolve("zero");
    CliRunner z = analyze(zero, concat(common, "--rs-every", "2"));
    assertEquals(0, z.exitCode(), z.err());
    assertTrue(z.out().matches("(?s).*time: dataset pass .* s per unit over 2 units.*"), z.out());
    assertEquals("0,2,4", steps(zero), "RS at steps 0, 2 and 4 of 6");
    Path mean = tmp.resolve("mean");
    CliRunner m = analyze(mean, concat(common, "--rs-every", "0", "--ablation-replace", "mean"));
    assertEquals(0, m.exitCode(), m.err());
    assertEquals("", steps(mean), "--rs-every 0: only the final RS");
    List<String> a = Files.readAllLines(zero.resolve("units.csv"));
    List<String> b = Files.readAllLines(mean.resolve("units.csv"));
    int drop = java.util.Arrays.asList(a.get(0).split(",")).indexOf("ablation_loss_increase");
    assertTrue(drop > 0, a.get(0));
    for (int row = 1; row <= 2; row++) {
      double byZero = Double.parseDouble(a.get(row).split(",")[drop]);
      double byMean = Double.parseDouble(b.get(row).split(",")[drop]);
      assertTrue(byZero != byMean, "unit " + (row - 1) + ": " + byZero + " both ways");
    }
  }

  /**
   * The steps of the first unit's RS trajectory ("0:0.5312;2:0.4062;...") in OUT/am/results.csv,
   * comma-separated; empty where its row holds none.
   */
  private static String steps(Path out) throws Exception {
    List<String> rows = Files.readAllLines(out.resolve("am/results.csv"));
    assertTrue(rows.get(0).contains("rs_trajectory"), rows.get(0));
    java.util.regex.Matcher t =
        java.util.regex.Pattern.compile("(?<![^,])(\\d+:[0-9.]+(;\\d+:[0-9.]+)*)(?![^,])")
            .matcher(rows.get(1));
    if (!t.find()) return "";
    return java.util.Arrays.stream(t.group(1).split(";"))
        .map(p -> p.substring(0, p.indexOf(':')))
        .collect(java.util.stream.Collectors.joining(","));
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
