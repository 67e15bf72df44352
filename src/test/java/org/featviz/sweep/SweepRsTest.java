package org.featviz.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.featviz.BundledModels;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.objective.Objectives;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderTarget;
import org.featviz.render.UnitObjective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep records each unit's Representative Substitution: the same counts as rendering the unit
 * again (same seed) and counting by hand the units of the layer whose response to the final image
 * exceeds or equals the unit's.
 */
class SweepRsTest {
  @TempDir Path tmp;

  @Test
  void sweepRecordsTheRsOfEachFinalImage() {
    RenderOptions options = RenderOptions.defaults().withSteps(12);
    UnitObjective iam = (layer, unit, count, seed) -> Objectives.iam(layer, unit);
    try (Model m =
        Model.builder(BundledModels.path("fashion-cnn")).optBackend(Backend.CPU).open()) {
      List<UnitResult> rows =
          Sweep.run(
              m,
              List.of("relu2"),
              new UnitSelection("0-3"),
              iam,
              "iam",
              4,
              options,
              1,
              tmp.resolve("sweep"),
              new Sweep.Listener() {});
      List<RenderTarget> targets = new ArrayList<>();
      for (int u = 0; u < 4; u++) targets.add(m.target(Objectives.iam("relu2", u)));
      List<RenderResult> again = m.render(targets, options);
      float[][] acts = m.unitActivations(again, "relu2");
      for (int u = 0; u < 4; u++) {
        UnitResult row = rows.get(u);
        int above = 0;
        int ties = 0;
        for (int j = 0; j < acts[u].length; j++) {
          if (j != u && acts[u][j] > acts[u][u]) above++;
          if (j != u && acts[u][j] == acts[u][u]) ties++;
        }
        assertNotNull(row.rs(), "relu2:" + u);
        assertEquals(above, row.rsAbove(), "relu2:" + u);
        assertEquals(ties, row.rsTies(), "relu2:" + u);
        assertEquals(above / 64.0, row.rs(), 1e-12, "relu2 has 64 units");
        // 12 steps, every 16: the start image only
        assertEquals(again.get(u).rsTrajectoryText(), row.rsTrajectory(), "relu2:" + u);
        assertTrue(row.rsTrajectory().matches("0:0\\.\\d{4}"), row.rsTrajectory());
      }
    }
  }
}
