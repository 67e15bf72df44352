package org.featviz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.featviz.backend.Backend;
import org.featviz.objective.Objectives;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.junit.jupiter.api.Test;

/** The Java API example of docs/user-guide.md, as written there, runs and does what it says. */
class ApiExampleTest {
  @Test
  void theUserGuideExampleRuns() throws Exception {
    BundledModels.path("fashion-cnn");
    List<RenderResult> results;
    // ---- from docs/user-guide.md ("Java API") ----
    try (Model model =
        Model.builder(Path.of("models/fashion-cnn.onnx")).optBackend(Backend.AUTO).open()) {
      results =
          model.render(
              List.of(
                  model.target(Objectives.channel("relu2", 5)),
                  model.target(
                      Objectives.iam("relu2", 6).plus(Objectives.channel("relu1", 3).times(0.1)))),
              RenderOptions.defaults().withSteps(128),
              (done, total) -> {
                if (done == total) System.out.println(total + " steps done");
              });
      for (RenderResult r : results) {
        System.out.println(
            r.target().label() + ": " + r.status() + ", activation " + r.activation());
        r.writePng(Path.of("out", "api", r.target().label().replace(':', '_') + ".png"), 4);
      }
    }
    // ---- end of the example ----
    assertEquals(2, results.size());
    for (RenderResult r : results) {
      assertEquals(RenderResult.Status.OK, r.status(), r.target().label());
      assertTrue(r.activation() > 0, r.target().label() + " activation " + r.activation());
      assertEquals(28 * 28, r.image().length);
    }
    assertEquals(
        "relu2:6", results.get(1).target().label(), "the target's unit is the objective's");
    assertTrue(
        results.get(1).target().objective().describe().contains("iam"),
        "objectives describe themselves");
    BufferedImage png = ImageIO.read(Path.of("out", "api", "relu2_5.png").toFile());
    assertEquals(112, png.getWidth(), "28 pixels, 4 times");
    results.get(0).image()[0] = 42f;
    assertTrue(results.get(0).image()[0] != 42f, "a result cannot be changed through its image");
  }

  @Test
  void theBuilderOpensWhatItIsToldAndNamesNoFlagInItsErrors() {
    try (Model cpu =
        Model.builder(BundledModels.path("fashion-cnn")).optBackend(Backend.CPU).open()) {
      assertEquals("cpu", cpu.backend());
      assertEquals(org.featviz.device.MathMode.FP32, cpu.mathMode());
    }
    try (Model emu =
        Model.builder(BundledModels.path("fashion-cnn")).optBackend(Backend.EMULATED).open()) {
      assertTrue(emu.backend().startsWith("emulated ("), emu.backend());
    }
    if (!org.featviz.cuda.CudaDevice.isAvailable()) {
      var e =
          assertThrows(
              org.featviz.backend.DeviceUnavailableException.class,
              () ->
                  Model.builder(BundledModels.path("fashion-cnn")).optBackend(Backend.GPU).open());
      assertTrue(
          e.getMessage().startsWith("no usable GPU: ") && !e.getMessage().contains("--"),
          e.getMessage());
    }
    var shape =
        assertThrows(
            org.featviz.passes.InputShapes.InputShapeException.class,
            () ->
                Model.builder(BundledModels.path("fashion-cnn"))
                    .optInputShape(3, 28, 28)
                    .optBackend(Backend.CPU)
                    .open());
    assertTrue(!shape.getMessage().contains("--"), shape.getMessage());
  }
}
