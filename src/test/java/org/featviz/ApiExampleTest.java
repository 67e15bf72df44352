package org.featviz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.featviz.objective.Objectives;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.junit.jupiter.api.Test;

/** The Java API example of docs/user-guide.md, as written there, runs and does what it says. */
class ApiExampleTest {
  @Test
  void theUserGuideExampleRuns() {
    BundledModels.path("fashion-cnn");
    List<RenderResult> results;
    // ---- from docs/user-guide.md ("Java API") ----
    try (Model model = Model.open(Path.of("models/fashion-cnn.onnx"))) {
      results = model.render(
          List.of(model.unit("relu2", 5, Objectives.channel("relu2", 5)),
                  model.unit("relu2", 6, Objectives.iam("relu2", 6).plus(Objectives.channel("relu1", 3).times(0.1)))),
          RenderOptions.defaults().withSteps(128));
      for (RenderResult r : results) {
        System.out.println(r.target().label() + ": " + r.status() + ", activation " + r.activation());
      }
    }
    // ---- end of the example ----
    assertEquals(2, results.size());
    for (RenderResult r : results) {
      assertEquals(RenderResult.Status.OK, r.status(), r.target().label());
      assertTrue(r.activation() > 0, r.target().label() + " activation " + r.activation());
      assertEquals(28 * 28, r.image().length);
    }
    assertTrue(results.get(1).target().objective().describe().contains("iam"), "objectives describe themselves");
  }
}
