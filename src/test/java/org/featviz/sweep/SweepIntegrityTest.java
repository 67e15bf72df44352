package org.featviz.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.device.MathMode;
import org.featviz.ir.ModelException;
import org.featviz.objective.Objectives;
import org.featviz.onnx.TinyModels;
import org.featviz.param.TransformConfig;
import org.featviz.render.RenderOptions;
import org.featviz.render.UnitObjective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep's folder holds the results of one sweep only: not of another model with the same file
 * name, not of two sweeps running at once, not a unit twice; its JSON lines and CSV agree row by
 * row, and a unit whose image was lost is done again.
 */
class SweepIntegrityTest {
  @TempDir Path tmp;

  /** x[N,1,8,8] -> conv1 (3 filters, 3x3, pad 1) -> relu1, weights drawn from {@code seed}. */
  private static Path tinyModel(Path file, long seed) {
    return TinyModels.convRelu(file, 8, TinyModels.uniform(seed, 3 * 9), 0.1f, 0.2f, 0.3f);
  }

  private Path tinyModel() {
    return tinyModel(tmp.resolve("tiny.onnx"), 7);
  }

  private static RenderOptions options() {
    return RenderOptions.defaults().withSteps(3).withTransforms(TransformConfig.none());
  }

  /**
   * Sweeps {@code layers} and {@code units} and returns the results; {@code started} gets (total,
   * already done).
   */
  private static List<UnitResult> sweep(
      Path model, List<String> layers, String units, Path out, List<int[]> started) {
    try (Model m = Model.builder(model).optBackend(Backend.CPU).optMath(MathMode.FP32).open()) {
      return Sweep.run(
          m,
          layers,
          new UnitSelection(units),
          (UnitObjective) (layer, unit, count, seed) -> Objectives.channel(layer, unit),
          "channel",
          2,
          options(),
          1,
          out,
          new StartedListener(started));
    }
  }

  private static List<UnitResult> sweep(Path model, Path out, List<int[]> started) {
    return sweep(model, List.of("relu1"), "all", out, started);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  @Test
  void anotherModelWithTheSameFileNameIsRefusedNamingBoth() throws Exception {
    Path first = tinyModel(tmp.resolve("a/tiny.onnx"), 7);
    Path second = tinyModel(tmp.resolve("b/tiny.onnx"), 8);
    Path out = tmp.resolve("out");
    sweep(first, out, new ArrayList<>());
    JsonObject settings =
        JsonParser.parseString(Files.readString(out.resolve("sweep.json"))).getAsJsonObject();
    assertEquals(sha256(first), settings.get("modelSha256").getAsString());

    ModelException e =
        assertThrows(ModelException.class, () -> sweep(second, out, new ArrayList<>()));
    String a = sha256(first).substring(0, 12);
    String b = sha256(second).substring(0, 12);
    assertTrue(
        e.getMessage().contains("another model")
            && e.getMessage().contains("tiny.onnx (SHA-256 " + a)
            && e.getMessage().contains("tiny.onnx (SHA-256 " + b),
        e.getMessage());
    assertEquals(3, Files.readAllLines(out.resolve(SweepJournal.FILE)).size(), "nothing added");

    // The same bytes elsewhere, or under another name, are the same model: the sweep resumes with
    // nothing to do.
    Files.createDirectories(tmp.resolve("c"));
    for (Path copy : List.of(tmp.resolve("c/tiny.onnx"), tmp.resolve("c/renamed.onnx"))) {
      Files.copy(first, copy);
      List<int[]> started = new ArrayList<>();
      sweep(copy, out, started);
      assertArrayEquals(new int[] {3, 3}, started.get(0), copy.toString());
    }
  }

  @Test
  void aSweepRecordedBeforeTheModelsHashResumesAndGainsIt() throws Exception {
    Path model = tinyModel();
    Path out = tmp.resolve("old");
    sweep(model, out, new ArrayList<>());
    JsonObject settings =
        JsonParser.parseString(Files.readString(out.resolve("sweep.json"))).getAsJsonObject();
    settings.remove("modelSha256");
    Files.writeString(out.resolve("sweep.json"), settings.toString());
    List<int[]> started = new ArrayList<>();
    sweep(model, out, started);
    assertArrayEquals(new int[] {3, 3}, started.get(0));
    settings =
        JsonParser.parseString(Files.readString(out.resolve("sweep.json"))).getAsJsonObject();
    assertEquals(sha256(model), settings.get("modelSha256").getAsString());

    // Without a hash to go by, the file name must match.
    settings.remove("modelSha256");
    Files.writeString(out.resolve("sweep.json"), settings.toString());
    Path renamed = Files.copy(model, tmp.resolve("renamed.onnx"));
    ModelException e =
        assertThrows(ModelException.class, () -> sweep(renamed, out, new ArrayList<>()));
    assertTrue(
        e.getMessage().contains("model: \"tiny.onnx\" there, \"renamed.onnx\" now"),
        e.getMessage());
  }

  @Test
  void aFolderInUseByAnotherSweepIsRefusedAndALeftOverLockFileIsNot() throws Exception {
    Path model = tinyModel();
    Path out = tmp.resolve("busy");
    Files.createDirectories(out);
    Path lockFile = out.resolve(".featviz-sweep.lock");
    try (FileChannel ch =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = ch.lock()) {
      ModelException e =
          assertThrows(ModelException.class, () -> sweep(model, out, new ArrayList<>()));
      assertTrue(e.getMessage().contains(out + " is in use by another sweep"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
    assertFalse(Files.exists(out.resolve(SweepJournal.FILE)), "the refused sweep wrote nothing");
    assertTrue(Files.exists(lockFile), "the lock file stays, held by no one");
    assertEquals(
        3, sweep(model, out, new ArrayList<>()).size(), "a lock file nobody holds does not block");
  }

  @Test
  void aLockHeldByAProcessThatIsKilledDoesNotOutliveIt() throws Exception {
    Path model = tinyModel();
    Path out = tmp.resolve("killed");
    Files.createDirectories(out);
    Process holder = LockHolder.start(out.resolve(".featviz-sweep.lock"));
    try {
      ModelException e =
          assertThrows(ModelException.class, () -> sweep(model, out, new ArrayList<>()));
      assertTrue(e.getMessage().contains("is in use by another sweep"), e.getMessage());
    } finally {
      holder.destroyForcibly().waitFor();
    }
    assertEquals(
        3, sweep(model, out, new ArrayList<>()).size(), "the killed holder's lock is gone with it");
  }

  @Test
  void repeatedLayersAndUnitsAreSweptOnce() throws Exception {
    Path model = tinyModel();
    Path out = tmp.resolve("dupes");
    List<int[]> started = new ArrayList<>();
    List<UnitResult> results = sweep(model, List.of("relu1", "relu1"), "2,1,1,1-2", out, started);
    assertArrayEquals(new int[] {2, 0}, started.get(0), "units 2 and 1 of relu1");
    assertEquals(
        List.of(2, 1), results.stream().map(UnitResult::unit).toList(), "the first order is kept");
    assertEquals(2, Files.readAllLines(out.resolve(SweepJournal.FILE)).size());
    assertEquals(List.of(2, 1), new UnitSelection("2,1,1,1-2").resolve("relu1", 3));
  }

  @Test
  void theJsonLinesAndTheCsvHoldTheSameRowsNamesAndValues() throws Exception {
    Path model = tinyModel();
    Path out = tmp.resolve("twins");
    sweep(model, out, new ArrayList<>());
    assertTwins(out, 3);

    // Resumed after losing unit 1's line and with unit 0's line written twice (an older featviz's
    // doing).
    List<String> lines = Files.readAllLines(out.resolve(SweepJournal.FILE));
    Files.write(out.resolve(SweepJournal.FILE), List.of(lines.get(0), lines.get(2), lines.get(0)));
    sweep(model, out, new ArrayList<>());
    assertTwins(out, 3);
  }

  /**
   * results.jsonl and results.csv: {@code rows} rows each, the same field names in order, the same
   * values.
   */
  private static void assertTwins(Path out, int rows) throws Exception {
    List<JsonObject> json = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve(SweepJournal.FILE))) {
      json.add(JsonParser.parseString(line).getAsJsonObject());
    }
    List<List<String>> csv = Csv.parse(Files.readString(out.resolve(SweepJournal.CSV)));
    assertEquals(rows, json.size());
    assertEquals(rows + 1, csv.size(), "a header and the rows");
    List<String> header = csv.get(0);
    assertEquals(
        List.of(
            "layer",
            "unit",
            "objective",
            "status",
            "objective_value",
            "activation",
            "seed",
            "steps",
            "image",
            "backend",
            "rs",
            "rs_above",
            "rs_ties",
            "rs_trajectory"),
        header);
    for (int i = 0; i < rows; i++) {
      JsonObject o = json.get(i);
      assertEquals(header, new ArrayList<>(o.keySet()), "field names of line " + (i + 1));
      for (int k = 0; k < header.size(); k++) {
        JsonElement v = o.get(header.get(k));
        assertEquals(
            v.isJsonNull() ? "" : v.getAsString(),
            csv.get(i + 1).get(k),
            header.get(k) + " of row " + (i + 1));
      }
    }
    assertTrue(
        csv.get(1).get(2).contains(","), "a value with a comma survives the CSV: " + csv.get(1));
  }

  @Test
  void aRowWithNanNullAndAQuotedLineBreakReadsBackAsWrittenAndMatchesItsCsv() throws Exception {
    Path out = tmp.resolve("odd");
    Files.createDirectories(out.resolve("relu1"));
    Files.write(out.resolve("relu1/unit_0000.png"), new byte[] {1});
    UnitResult odd =
        new UnitResult(
            "relu1",
            0,
            "say \"hi\",\nthen stop",
            "nan",
            Double.NaN,
            -0.0,
            1L << 62,
            5,
            "relu1/unit_0000.png",
            null,
            null,
            null,
            null,
            null);
    try (SweepJournal journal = new SweepJournal(out)) {
      journal.append(List.of(odd));
    }
    assertTwins(out, 1);
    try (SweepJournal journal = new SweepJournal(out)) {
      assertEquals(List.of(odd), journal.results());
    }
    assertTwins(out, 1);
  }

  @Test
  void theJournalNamesFieldsInSnakeCaseAndReadsOldCamelCaseJournals() throws Exception {
    Path model = tinyModel();
    Path out = tmp.resolve("names");
    List<UnitResult> first = sweep(model, out, new ArrayList<>());
    List<String> lines = Files.readAllLines(out.resolve(SweepJournal.FILE));
    assertTrue(
        lines.get(0).contains("\"objective_value\":") && !lines.get(0).contains("objectiveValue"),
        lines.get(0));

    // A journal from before: camelCase names. It resumes (nothing left to do) with its values
    // intact.
    Files.write(
        out.resolve(SweepJournal.FILE),
        lines.stream().map(l -> l.replace("\"objective_value\":", "\"objectiveValue\":")).toList());
    List<int[]> started = new ArrayList<>();
    List<UnitResult> again = sweep(model, out, started);
    assertArrayEquals(new int[] {3, 3}, started.get(0));
    assertEquals(first, again);
    assertTrue(
        again.stream().allMatch(r -> r.objectiveValue() != 0), "values read back, not defaults");
    assertEquals(
        lines, Files.readAllLines(out.resolve(SweepJournal.FILE)), "rewritten in today's names");
  }

  @Test
  void aJournalWrittenBeforeTheRsTrajectoryResumes() throws Exception {
    Path model = tinyModel();
    Path out = tmp.resolve("before-trajectory");
    List<UnitResult> first = sweep(model, out, new ArrayList<>());
    assertTrue(first.stream().allMatch(r -> r.rsTrajectory().startsWith("0:")), first.toString());
    List<String> lines = Files.readAllLines(out.resolve(SweepJournal.FILE));
    List<String> old = new ArrayList<>();
    for (String line : lines) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      assertTrue(o.has("rs_trajectory"), line);
      o.remove("rs_trajectory");
      old.add(o.toString());
    }
    Files.write(out.resolve(SweepJournal.FILE), old);
    List<int[]> started = new ArrayList<>();
    List<UnitResult> again = sweep(model, out, started);
    assertArrayEquals(new int[] {3, 3}, started.get(0), "nothing to do again");
    for (int i = 0; i < first.size(); i++) {
      assertNull(again.get(i).rsTrajectory(), "unknown in an old row");
      assertEquals(first.get(i).rs(), again.get(i).rs());
      assertEquals(first.get(i).objectiveValue(), again.get(i).objectiveValue());
    }
    assertTwins(out, 3);
  }

  @Test
  void aUnitWhoseImageWasDeletedIsDoneAgainOnResume() throws Exception {
    Path model = tinyModel();
    Path out = tmp.resolve("lost");
    List<UnitResult> first = sweep(model, out, new ArrayList<>());
    byte[] png = Files.readAllBytes(out.resolve("relu1/unit_0001.png"));
    Files.delete(out.resolve("relu1/unit_0001.png"));
    List<int[]> started = new ArrayList<>();
    List<UnitResult> again = sweep(model, out, started);
    assertArrayEquals(
        new int[] {3, 2}, started.get(0), "unit 1 is not done while its image is missing");
    assertArrayEquals(
        png, Files.readAllBytes(out.resolve("relu1/unit_0001.png")), "redone to the same image");
    assertEquals(3, again.size());
    assertEquals(
        first.get(1).activation(),
        again.stream().filter(r -> r.unit() == 1).findFirst().orElseThrow().activation(),
        1e-9);
    assertTwins(out, 3);
  }
}
