package org.featviz.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.device.MathMode;
import org.featviz.ir.ModelException;
import org.featviz.objective.ImageRegularizers;
import org.featviz.objective.Objectives;
import org.featviz.onnx.TinyModels;
import org.featviz.param.TransformConfig;
import org.featviz.render.RenderOptions;
import org.featviz.render.UnitObjective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps write as they go, resume after an interruption to the same result, and refuse mixed
 * settings.
 */
class SweepTest {
  @TempDir Path tmp;

  /** x[N,1,8,8] -> conv1 (3 filters, 3x3, pad 1) -> relu1. */
  private Path tinyModel() {
    return TinyModels.convRelu(
        tmp.resolve("tiny.onnx"), 8, TinyModels.uniform(7, 3 * 9), 0.1f, 0.2f, 0.3f);
  }

  private List<UnitResult> sweep(
      Path model, Path out, RenderOptions options, List<int[]> progress) {
    return sweep(model, "cpu", MathMode.FP32, out, options, progress);
  }

  private List<UnitResult> sweep(
      Path model,
      String device,
      MathMode math,
      Path out,
      RenderOptions options,
      List<int[]> progress) {
    try (Model m = Model.builder(model).optBackend(Backend.parse(device)).optMath(math).open()) {
      return Sweep.run(
          m,
          List.of("relu1"),
          new UnitSelection("all"),
          (UnitObjective) (layer, unit, count, seed) -> Objectives.channel(layer, unit),
          "channel",
          2,
          options,
          2,
          out,
          new StartedListener(progress));
    }
  }

  private static RenderOptions options() {
    return RenderOptions.defaults().withSteps(6).withTransforms(TransformConfig.none());
  }

  @Test
  void writesEveryUnitAndResumesToTheSameResult() throws Exception {
    Path model = tinyModel();
    Path full = tmp.resolve("full");
    List<int[]> progress = new ArrayList<>();
    List<UnitResult> all = sweep(model, full, options(), progress);
    assertEquals(3, all.size());
    assertEquals(3, Files.readAllLines(full.resolve(SweepJournal.FILE)).size());
    assertEquals(4, Files.readAllLines(full.resolve(SweepJournal.CSV)).size(), "header + 3 rows");
    assertTrue(Files.exists(full.resolve("relu1/contact_sheet.png")));
    for (UnitResult r : all) {
      assertEquals("ok", r.status());
      assertTrue(
          r.backend().equals("cpu") || r.backend().startsWith("gpu ("),
          "where it ran: " + r.backend());
      assertTrue(Files.exists(full.resolve(r.image())), r.image());
    }

    // Interrupted after the first chunk (units 0 and 1) while writing unit 2's line: a torn last
    // line.
    Path cut = tmp.resolve("cut");
    sweep(model, cut, options(), new ArrayList<>());
    List<String> lines = Files.readAllLines(cut.resolve(SweepJournal.FILE));
    Files.writeString(
        cut.resolve(SweepJournal.FILE),
        lines.get(0) + "\n" + lines.get(1) + "\n" + lines.get(2).substring(0, 20));
    Files.delete(cut.resolve("relu1/unit_0002.png"));
    List<int[]> resumed = new ArrayList<>();
    List<UnitResult> again = sweep(model, cut, options(), resumed);
    assertArrayEquals(new int[] {3, 2}, resumed.get(0), "3 units, 2 already done");
    assertEquals(3, again.size());
    assertEquals(
        all.get(2).activation(),
        again.get(2).activation(),
        1e-9,
        "resumed unit 2 equals the full run");
    assertImagesEqual(full.resolve("relu1/unit_0002.png"), cut.resolve("relu1/unit_0002.png"));
  }

  @Test
  void refusesToMixSettingsInOneFolder() {
    Path model = tinyModel();
    Path out = tmp.resolve("mixed");
    sweep(model, out, options(), new ArrayList<>());
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> sweep(model, out, options().withSteps(7), new ArrayList<>()));
    assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    assertTrue(e.getMessage().contains("steps: 6 there, 7 now"), e.getMessage());

    ModelException tv =
        assertThrows(
            ModelException.class,
            () ->
                sweep(
                    model,
                    out,
                    options().withRegularizers(List.of(ImageRegularizers.totalVariation(0.5))),
                    new ArrayList<>()));
    assertTrue(tv.getMessage().contains("regularizers: [] there"), tv.getMessage());
  }

  @Test
  void aSweepMovesBetweenBackendsOfOneMathModeButNotAcrossModes() {
    Path model = tinyModel();
    Path out = tmp.resolve("backends");
    List<UnitResult> cpu =
        sweep(
            model,
            out,
            RenderOptions.defaults().withSteps(2).withTransforms(TransformConfig.none()),
            new ArrayList<>());
    // FP32 on the emulated device: the same settings, so the finished sweep resumes (nothing left
    // to do).
    List<int[]> progress = new ArrayList<>();
    List<UnitResult> again =
        sweep(
            model,
            "emulated",
            MathMode.FP32,
            out,
            RenderOptions.defaults().withSteps(2).withTransforms(TransformConfig.none()),
            progress);
    assertArrayEquals(new int[] {3, 3}, progress.get(0));
    assertEquals(cpu.size(), again.size());

    ModelException e =
        assertThrows(
            ModelException.class,
            () ->
                sweep(
                    model,
                    "emulated",
                    MathMode.TF32,
                    out,
                    RenderOptions.defaults().withSteps(2).withTransforms(TransformConfig.none()),
                    new ArrayList<>()));
    assertTrue(e.getMessage().contains("math: \"fp32\" there, \"tf32\" now"), e.getMessage());
  }

  @Test
  void unitOutOfRangeNamesTheLayer() {
    ModelException e =
        assertThrows(ModelException.class, () -> new UnitSelection("1-5").resolve("relu1", 3));
    assertTrue(
        e.getMessage().contains("relu1") && e.getMessage().contains("unit 3"), e.getMessage());
  }

  private static void assertImagesEqual(Path a, Path b) throws Exception {
    BufferedImage x = ImageIO.read(a.toFile());
    BufferedImage y = ImageIO.read(b.toFile());
    assertEquals(x.getWidth(), y.getWidth());
    for (int i = 0; i < x.getHeight(); i++) {
      for (int j = 0; j < x.getWidth(); j++)
        assertEquals(x.getRGB(j, i), y.getRGB(j, i), "pixel " + j + "," + i);
    }
  }
}
