package org.featviz.directions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.onnx.DenseModels;
import org.featviz.param.TransformConfig;
import org.featviz.render.RenderOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Basis versus random on hand-built nets: per-unit ReLUs of widely different scales make the basis
 * privileged by construction; a linear layer with i.i.d. Gaussian weights and nothing per unit
 * after it is rotation-invariant in distribution, so the two populations are alike.
 */
class DirectionStudyTest {
  @TempDir Path dir;

  private static final int D = 8;

  private Path net(String name, float[] w, float[] b, boolean relu) {
    return DenseModels.oneLayer(D, w, b, relu)
        .output(relu ? "relu1" : "fc1", "N", D)
        .write(dir.resolve(name));
  }

  private DirectionStudy.DirectionResult study(Path model, String layer) {
    RenderOptions render =
        new RenderOptions(64, 0.05, 3, "pixel", 1.0, TransformConfig.named("none"), List.of());
    try (Model m = Model.builder(model).optBackend(Backend.CPU).open()) {
      return DirectionStudy.run(
          m,
          null,
          DirectionOptions.builder(List.of(layer), D, dir.resolve("out-" + layer))
              .optRender(render)
              .optUpscale(1)
              .build(),
          new DirectionListener() {});
    }
  }

  private static Comparison of(DirectionStudy.DirectionResult r, Measure m) {
    return r.comparisons().stream().filter(c -> c.measure() == m).findFirst().orElseThrow();
  }

  @Test
  void perUnitReluWithDifferentScalesPrivilegesTheBasis() {
    // Unit i reads pixel i alone: relu(s_i (x_i - 0.7)), s_i from 1 to 128. A basis image lights
    // its own unit only (cosine 1); a random direction lights every unit it weighs positively,
    // the largest scales dominating, so its image's activation vector points elsewhere.
    float[] w = new float[D * D];
    float[] b = new float[D];
    for (int i = 0; i < D; i++) {
      float s = (float) Math.pow(2, i);
      w[i * D + i] = s;
      b[i] = -0.7f * s;
    }
    DirectionStudy.DirectionResult r = study(net("priv.onnx", w, b, true), "relu1");
    assertEquals(2 * D, r.rows().size());
    Comparison cos = of(r, Measure.COSINE);
    assertTrue(cos.basisMedian() > 0.95, "basis images light their own unit: " + cos);
    assertTrue(cos.p() < 0.01 && cos.rankBiserial() > 0.8, cos.toString());
    assertTrue(Files.exists(dir.resolve("out-relu1/directions.csv")));
    assertTrue(Files.exists(dir.resolve("out-relu1/summary.json")));
    assertTrue(Files.exists(dir.resolve("out-relu1/side_by_side_relu1.png")));
  }

  @Test
  void aLinearLayerWithGaussianWeightsDoesNot() {
    Random rng = new Random(11);
    float[] w = new float[D * D];
    for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
    DirectionStudy.DirectionResult r = study(net("lin.onnx", w, new float[D], false), "fc1");
    for (Measure m : List.of(Measure.OBJECTIVE, Measure.COSINE, Measure.RS)) {
      Comparison c = of(r, m);
      assertTrue(c.p() > 0.01, "no difference expected on " + m + ": " + c);
    }
  }
}
