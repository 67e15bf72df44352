package org.featviz.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.featviz.BundledModels;
import org.featviz.Model;
import org.featviz.TestData;
import org.featviz.analysis.ClassSelectivity;
import org.featviz.backend.Backend;
import org.featviz.data.Dataset;
import org.featviz.data.FashionMnist;
import org.featviz.ir.ModelException;
import org.featviz.render.RenderOptions;
import org.featviz.report.HeadlessChromium;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API of the unit analysis: the user guide's example runs as written, the records it
 * returns are the rows of the files it writes, and its errors name no command-line flag.
 */
class UnitAnalysisTest {
  @TempDir Path tmp;

  @BeforeEach
  void data() {
    TestData.require(
        FashionMnist.defaultDir().resolve("t10k-images-idx3-ubyte.gz"), "dataset-fashion-mnist");
    BundledModels.path("fashion-cnn");
  }

  @Test
  void theUserGuideExampleRunsAndItsRecordsAreTheFilesRows() throws Exception {
    AnalysisResult result;
    // ---- from docs/user-guide.md ("Java API: the unit analysis") ----
    try (Model model =
        Model.builder(Path.of("models/fashion-cnn.onnx")).optBackend(Backend.CPU).open()) {
      result =
          UnitAnalysis.run(
              model,
              FashionMnist.load(FashionMnist.Split.TEST),
              AnalysisOptions.builder(List.of("relu2"), Path.of("out", "api-analysis"))
                  .optUnits("0-3")
                  .optImages(200)
                  .optCumulativeAblation(true)
                  .optRender(RenderOptions.defaults().withSteps(8))
                  .build(),
              new AnalysisListener() {});
      for (UnitRow u : result.units()) {
        System.out.println(
            u.layer()
                + " unit "
                + u.unit()
                + ": RS(IAM) "
                + u.rs(ImageObjective.IAM)
                + ", selectivity "
                + u.selectivity());
      }
      for (LayerRow l : result.layers()) {
        System.out.println(l.x() + " vs " + l.y() + ": rho " + l.rho() + ", p " + l.pValue());
      }
    }
    // ---- end of the example ----
    Path out = Path.of("out", "api-analysis");
    assertEquals(List.of(ImageObjective.AM, ImageObjective.IAM), result.objectives());
    assertEquals(List.of("relu2"), result.layerNames());
    List<String> units = Files.readAllLines(out.resolve("units.csv"));
    assertEquals(1 + 4, units.size());
    assertEquals(1 + result.units().size(), units.size());
    for (int i = 0; i < result.units().size(); i++) {
      UnitRow u = result.units().get(i);
      String[] c = units.get(i + 1).split(",", -1);
      assertEquals(u.layer(), c[0]);
      assertEquals(u.unit(), Integer.parseInt(c[1]));
      assertEquals(u.selectivity(), Double.parseDouble(c[2]));
      assertEquals(u.preferredClass(), c[3]);
      assertEquals(u.rs(ImageObjective.AM), Double.parseDouble(c[4]));
      assertEquals(u.rs(ImageObjective.IAM), Double.parseDouble(c[9]));
      assertEquals(u.ablationAccuracyDrop(), Double.parseDouble(c[14]));
      for (UnitImage image : u.images().values())
        assertTrue(Files.isRegularFile(out.resolve(image.image())), image.image());
      assertTrue(Files.isRegularFile(out.resolve(u.exemplars())), u.exemplars());
    }
    assertThrows(UnsupportedOperationException.class, () -> result.units().clear());
    assertThrows(
        UnsupportedOperationException.class,
        () -> result.units().get(0).images().remove(ImageObjective.AM));
    assertEquals(1 + result.layers().size(), Files.readAllLines(out.resolve("layers.csv")).size());
    assertEquals(6, result.layers().size(), "four measures, six pairs");
    assertEquals(9 * 11, result.ablation().size(), "9 orders of 11 points");
    assertEquals(
        1 + result.ablation().size(), Files.readAllLines(out.resolve("ablation.csv")).size());
    for (String plot : List.of("by_depth", "rs_vs_selectivity_relu2", "ablation_relu2")) {
      assertTrue(Files.isRegularFile(out.resolve("plots/" + plot + ".png")), plot);
      assertTrue(Files.isRegularFile(out.resolve("plots/" + plot + ".svg")), plot);
    }
    List<String> areas = Files.readAllLines(out.resolve("ablation_auc.csv"));
    for (int i = 0; i < result.ablationAreas().size(); i++) {
      AblationArea a = result.ablationAreas().get(i);
      assertEquals(a.layer() + "," + a.order() + "," + a.auc(), areas.get(i + 1));
    }

    // The report of a real analysis finds all its images (last: this part skips without chromium).
    TestData.require(HeadlessChromium.BINARY, "chromium");
    try (HeadlessChromium browser =
        HeadlessChromium.start(Files.createTempDirectory(tmp, "profile"), Duration.ofSeconds(30))) {
      browser.open(out.resolve("report.html").toAbsolutePath().toUri().toString());
      List<Integer> widths = browser.imageWidths("img");
      assertEquals(3 + 3 * 4, widths.size(), "3 plots, 3 images per unit: " + widths);
      for (int w : widths) assertTrue(w > 100, widths.toString());
      assertEquals(List.of(), browser.errors());
    }
  }

  @Test
  void errorsNameNoFlagAndComeBeforeAnyRender() {
    Dataset data = FashionMnist.load(FashionMnist.Split.TEST);
    try (Model model =
        Model.builder(BundledModels.path("fashion-cnn")).optBackend(Backend.CPU).open()) {
      Path out = tmp.resolve("negative");
      var negative =
          assertThrows(
              NegativeActivationsException.class,
              () ->
                  UnitAnalysis.run(
                      model,
                      data,
                      AnalysisOptions.builder(List.of("conv1"), out)
                          .optUnits("0-3")
                          .optImages(100)
                          .build(),
                      new AnalysisListener() {}));
      assertEquals("conv1", negative.layer());
      assertTrue(negative.reason().contains("negative mean activation"), negative.reason());
      assertTrue(negative.getMessage().contains("Negatives.CLAMP"), negative.getMessage());
      assertFalse(negative.getMessage().contains("--"), negative.getMessage());
      assertFalse(Files.exists(out.resolve("am")), "nothing was rendered");

      String one =
          refused(
              model,
              data,
              AnalysisOptions.builder(List.of("relu2"), tmp.resolve("one"))
                  .optUnits("3")
                  .optNegatives(ClassSelectivity.Negatives.CLAMP));
      assertTrue(one.contains("needs at least 2 units"), one);
      refused(
          model,
          data,
          AnalysisOptions.builder(List.of("relu2"), tmp.resolve("images"))
              .optImages(data.size() + 1));
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> AnalysisOptions.builder(List.of("relu2"), tmp).optObjectives().build());
  }

  /** The message of the ModelException the analysis refuses these options with: no flag in it. */
  private static String refused(Model model, Dataset data, AnalysisOptions.Builder options) {
    ModelException e =
        assertThrows(
            ModelException.class,
            () -> UnitAnalysis.run(model, data, options.build(), new AnalysisListener() {}));
    assertFalse(e.getMessage().contains("--"), e.getMessage());
    return e.getMessage();
  }
}
