package org.featviz.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.cpu.Activations;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cpu.OpTesting;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.onnx.TinyModels;
import org.featviz.onnx.TokenModels;
import org.featviz.param.TransformConfig;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objectives on a transformer's [N, tokens, features] layers (passes.TokenLayers), on
 * TokenModels.tokens: 16 tokens of F = 5 features after a MatMul and a LayerNormalization. The
 * units are the features; a channel objective is a feature's mean over the tokens and a neuron one
 * token's feature, checked against the network computed by hand in double, their input gradients
 * against central differences of that hand computation; a short render runs on the CPU and the
 * emulated device.
 */
class TokenLayerObjectivesTest {
  private static final int F = 5;
  private static final int T = 16;
  private final float[] w = TinyModels.uniform(5, 3 * F);
  private final float[] scale = {0.5f, 1.5f, 1f, 0.8f, 1.2f};
  private final float[] bias = {0.1f, -0.2f, 0.3f, 0f, -0.4f};

  /** ln[t][f] of the network for image x [3, 4, 4], in double. */
  private double[][] layerNorm(double[] x) {
    double[][] ln = new double[T][F];
    for (int t = 0; t < T; t++) {
      double[] p = new double[F];
      for (int f = 0; f < F; f++)
        for (int c = 0; c < 3; c++) p[f] += x[c * T + t] * w[c * F + f]; // token t = pixel t
      double mean = 0;
      for (double v : p) mean += v / F;
      double var = 0;
      for (double v : p) var += (v - mean) * (v - mean) / F;
      for (int f = 0; f < F; f++)
        ln[t][f] = (p[f] - mean) / Math.sqrt(var + 1e-5) * scale[f] + bias[f];
    }
    return ln;
  }

  private double channelByHand(double[] x, int unit) {
    double s = 0;
    for (double[] row : layerNorm(x)) s += row[unit];
    return s / T;
  }

  @Test
  void unitsAreTheFeaturesAndTheObjectivesMatchTheHandComputation(@TempDir Path dir) {
    Path file = TokenModels.tokens(dir.resolve("tokens.onnx"), w, scale, bias);
    Random rng = new Random(7);
    float[] image = OpTesting.random(Shape.of(1, 3, 4, 4), rng, -1, 1).data();
    double[] x = new double[image.length];
    for (int i = 0; i < x.length; i++) x[i] = image[i];
    try (Model m = Model.builder(file).optBackend(Backend.CPU).open()) {
      assertEquals(F, m.units("ln"));
      assertEquals(F, m.units("proj"));
      assertEquals(3, m.units("patches")); // [N, 3, 16] after a Reshape of the image: channels
      assertEquals(Shape.of(1, T, F), m.layerShape("ln"));

      Graph g = m.prepare(List.of("ln"));
      assertEquals(Shape.of(1, F, T), g.shape("ln"), "the objectives see [N, F, T]");
      CpuExecutor cpu = new CpuExecutor(g);
      Map<String, Tensor> feeds = Map.of("x", Tensor.of(Shape.of(1, 3, 4, 4), image));
      Activations acts = cpu.forward(feeds, List.of("ln"));
      double[][] ln = layerNorm(x);
      int unit = 3;
      ObjectiveTesting.ArrayView view =
          new ObjectiveTesting.ArrayView().with("ln", Shape.of(F, T), acts.get("ln").data());
      double value = Objectives.channel("ln", unit).evaluate(view);
      assertEquals(channelByHand(x, unit), value, 1e-5, "channel = the feature's token mean");
      int token = 6;
      ObjectiveTesting.ArrayView neuronView =
          new ObjectiveTesting.ArrayView().with("ln", Shape.of(F, T), acts.get("ln").data());
      assertEquals(
          ln[token][unit],
          Objectives.neuron("ln", unit, token, 0).evaluate(neuronView),
          1e-5,
          "neuron at x = token");

      // The channel objective's gradient, back through the view and the network, against
      // central differences of the hand computation.
      Map<String, Tensor> seeds = Map.of("ln", Tensor.of(Shape.of(1, F, T), view.grad("ln")));
      float[] gx = cpu.backward(acts, seeds, List.of("x")).get("x").data();
      double eps = 1e-4;
      for (int i = 0; i < x.length; i++) {
        double saved = x[i];
        x[i] = saved + eps;
        double plus = channelByHand(x, unit);
        x[i] = saved - eps;
        double minus = channelByHand(x, unit);
        x[i] = saved;
        double numeric = (plus - minus) / (2 * eps);
        assertEquals(numeric, gx[i], 1e-4 + 1e-3 * Math.abs(numeric), "d channel / d x[" + i + "]");
      }
    }
  }

  @Test
  void aTokenLayerWithReadersKeepsTheNetworkAsItWas(@TempDir Path dir) {
    Path file = TokenModels.tokens(dir.resolve("tokens.onnx"), w, scale, bias);
    float[] image = OpTesting.random(Shape.of(2, 3, 4, 4), new Random(8), -1, 1).data();
    Map<String, Tensor> feeds = Map.of("x", Tensor.of(Shape.of(2, 3, 4, 4), image));
    try (Model m = Model.builder(file).optBackend(Backend.CPU).open()) {
      // proj is read by ln: ln must still see [N, T, F], and proj a view of its own.
      Graph both = m.prepare(List.of("proj", "ln"));
      assertEquals(Shape.of(1, F, T), both.shape("proj")); // the graph's shapes are for one image
      Tensor viewed = new CpuExecutor(both).forward(feeds, List.of("ln")).get("ln");
      Graph plain = org.featviz.passes.Prepare.forRun(m.graph(), null, List.of("ln"));
      Tensor original = new CpuExecutor(plain).forward(feeds, List.of("ln")).get("ln");
      assertEquals(Shape.of(2, T, F), original.shape());
      for (int n = 0; n < 2; n++)
        for (int t = 0; t < T; t++)
          for (int f = 0; f < F; f++)
            assertEquals(
                original.data()[(n * T + t) * F + f],
                viewed.data()[(n * F + f) * T + t],
                1e-6,
                "ln[" + n + ", " + t + ", " + f + "]");
    }
  }

  @Test
  void aOneDimensionalConvolutionKeepsItsChannelsFirst(@TempDir Path dir) {
    Path file =
        new org.featviz.onnx.OnnxModelBuilder()
            .opset(17)
            .input("x", "N", 3, 4, 4)
            .initializer(
                org.featviz.onnx.OnnxModelBuilder.int64Tensor("shape", new long[] {3}, 0, 3, 16))
            .initializer("w", new long[] {4, 3, 3}, TinyModels.uniform(9, 36))
            .node("Reshape", "line", List.of("x", "shape"), List.of("line"))
            .node(
                "Conv",
                "conv",
                List.of("line", "w"),
                List.of("conv"),
                org.featviz.onnx.OnnxModelBuilder.Attr.ints("pads", 1, 1))
            .node("Relu", "relu", List.of("conv"), List.of("relu"))
            .output("relu", "N", 4, 16)
            .write(dir.resolve("conv1d.onnx"));
    try (Model m = Model.builder(file).optBackend(Backend.CPU).open()) {
      assertEquals(4, m.units("conv"));
      assertEquals(4, m.units("relu"));
      assertEquals(Shape.of(1, 4, 16), m.prepare(List.of("relu")).shape("relu"), "no view");
    }
  }

  @Test
  void aShortRenderOfAFeatureRunsOnTheCpuAndTheEmulatedDevice(@TempDir Path dir) {
    Path file = TokenModels.tokens(dir.resolve("tokens.onnx"), w, scale, bias);
    RenderOptions options =
        RenderOptions.defaults().withSteps(8).withSeed(3).withTransforms(TransformConfig.none());
    double[] values = new double[2];
    Backend[] backends = {Backend.CPU, Backend.EMULATED};
    for (int b = 0; b < 2; b++) {
      try (Model m = Model.builder(file).optBackend(backends[b]).open()) {
        List<RenderResult> r =
            m.render(
                List.of(
                    m.target(Objectives.channel("ln", 1)),
                    m.target(Objectives.neuron("ln", 4, 9, 0))),
                options);
        assertEquals(RenderResult.Status.OK, r.get(0).status(), backends[b] + ": " + r.get(0));
        assertTrue(Double.isFinite(r.get(0).objectiveValue()), backends[b] + ": " + r.get(0));
        assertTrue(Double.isFinite(r.get(1).objectiveValue()), backends[b] + ": " + r.get(1));
        values[b] = r.get(0).objectiveValue();
      }
    }
    assertEquals(values[0], values[1], 1e-3 * Math.max(1, Math.abs(values[0])), "cpu vs emulated");
  }
}
