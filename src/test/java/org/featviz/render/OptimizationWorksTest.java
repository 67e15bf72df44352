package org.featviz.render;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.featviz.BundledModels;
import org.featviz.Model;
import org.featviz.TestData;
import org.featviz.cpu.CpuExecutor;
import org.featviz.data.Dataset;
import org.featviz.data.FashionMnist;
import org.featviz.ir.Graph;
import org.featviz.ir.Tensor;
import org.featviz.objective.LayerSlice;
import org.featviz.objective.Objectives;
import org.featviz.param.TransformConfig;
import org.junit.jupiter.api.Test;

/**
 * Activation maximization works: on fashion-cnn, for a sample of units in every hidden layer, the
 * optimized image drives the unit's mean activation above what at least 99% of Fashion-MNIST test
 * images do (measured on a fixed leading part of the test split to keep CI short).
 */
class OptimizationWorksTest {
  private static final List<String> LAYERS =
      List.of("relu1", "relu2", "relu3", "relu4", "relu_fc1");
  private static final int IMAGES = 1000;

  @Test
  void optimizedImagesBeatNearlyAllTestImages() {
    TestData.require(FashionMnist.DEBIAN_DIR, FashionMnist.DEBIAN_PACKAGE);
    try (Model model = Model.open(BundledModels.path("fashion-cnn"))) {
      List<RenderTarget> targets = new ArrayList<>();
      for (String layer : LAYERS) {
        int n = model.units(layer);
        for (int unit : new int[] {1, n / 2 + 1})
          targets.add(model.unit(layer, unit, Objectives.channel(layer, unit)));
      }
      RenderOptions options =
          RenderOptions.defaults()
              .withSteps(96)
              .withTransforms(
                  TransformConfig.lucidDefaults()
                      .withPad(2)
                      .withFirstJitter(2)
                      .withSecondJitter(1));
      List<RenderResult> results = model.render(targets, options);

      Dataset data = FashionMnist.load(FashionMnist.Split.TEST).slice(0, IMAGES);
      Graph graph = model.prepare(LAYERS);
      Map<String, Tensor> acts =
          new CpuExecutor(graph)
              .forward(
                  Map.of(graph.input().name(), model.normalization().apply(data.images())), LAYERS)
              .values();
      List<String> failures = new ArrayList<>();
      for (RenderResult r : results) {
        String layer = r.target().layer();
        int unit = r.target().unit();
        Tensor a = acts.get(layer);
        int per = a.size() / IMAGES;
        double[] means = new double[IMAGES];
        for (int i = 0; i < IMAGES; i++) {
          means[i] =
              new LayerSlice(
                      a.data(),
                      i * per,
                      org.featviz.ir.Shape.of(
                          Arrays.copyOfRange(a.shape().dims(), 1, a.shape().rank())))
                  .unitMean(unit);
        }
        Arrays.sort(means);
        double p99 = means[(int) Math.ceil(0.99 * IMAGES) - 1];
        if (r.status() != RenderResult.Status.OK || !(r.activation() > p99)) {
          failures.add(
              String.format(
                  "%s:%d %s activation %.4g, 99th percentile of test images %.4g",
                  layer, unit, r.status(), r.activation(), p99));
        }
      }
      assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
  }
}
