package org.featviz.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.featviz.BundledModels;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.objective.Objectives;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderTarget;
import org.junit.jupiter.api.Test;

/**
 * RS of rendered images on the bundled CNN: the layer's responses to each final image agree with
 * the activation the render reported for its unit, and the counts are RS's. (Whether IAM lowers RS
 * is a question for the analysis of whole layers, not for a unit test: on six units after 48 steps
 * it did not.)
 */
class RsOfRendersTest {
  @Test
  void rsOfAmAndIamImagesOfFashionCnnRelu2() {
    try (Model m =
        Model.builder(BundledModels.path("fashion-cnn")).optBackend(Backend.CPU).open()) {
      int[] units = {0, 1, 2, 3, 5, 6};
      for (int kind = 0; kind < 2; kind++) {
        List<RenderTarget> targets = new ArrayList<>();
        for (int u : units) {
          targets.add(
              m.target(kind == 0 ? Objectives.channel("relu2", u) : Objectives.iam("relu2", u)));
        }
        List<RenderResult> results = m.render(targets, RenderOptions.defaults().withSteps(48));
        float[][] acts = m.unitActivations(results, "relu2");
        for (int b = 0; b < results.size(); b++) {
          int u = units[b];
          assertEquals(
              results.get(b).activation(),
              acts[b][u],
              1e-5 * Math.max(1, Math.abs(acts[b][u])),
              "the render's own measurement of relu2:" + u);
          RepresentativeSubstitution rs = RepresentativeSubstitution.of(acts[b], u);
          assertTrue(rs.value() >= 0 && rs.value() < 1, rs.toString());
          int above = 0;
          for (int j = 0; j < acts[b].length; j++) if (acts[b][j] > acts[b][u]) above++;
          assertEquals(above, rs.above());
        }
      }
    }
  }
}
