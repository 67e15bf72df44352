package org.featviz.render;

import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.ir.TestGraphs.graph;
import static org.featviz.ir.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.BundledModels;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;
import org.featviz.model.InputNormalization;
import org.featviz.objective.Objectives;
import org.featviz.objective.PenaltyNorm;
import org.featviz.onnx.OnnxImporter;
import org.featviz.param.TransformConfig;
import org.featviz.passes.Prepare;
import org.junit.jupiter.api.Test;

/**
 * The batched render loop on a small random conv net: objectives grow, dead units are reported,
 * seeds repeat.
 */
class RendererTest {
  /**
   * x[1,1,12,12] -> conv(4, 3x3) -> relu; unit 3 has zero weights and a negative bias: it can never
   * fire.
   */
  private static Graph net() {
    Random rng = new Random(3);
    Map<String, Tensor> inits = new LinkedHashMap<>();
    Tensor w = random(Shape.of(4, 1, 3, 3), rng, -1, 1);
    for (int i = 27; i < 36; i++) w.data()[i] = 0;
    inits.put("w", w);
    inits.put("b", Tensor.of(Shape.of(4), new float[] {0.1f, -0.1f, 0f, -1f}));
    List<Node> nodes =
        List.of(
            node("conv1", "Conv", List.of("x", "w", "b"), Map.of("pads", longs(1, 1, 1, 1))),
            node("relu1", "Relu", List.of("conv1"), Map.of()));
    Graph g =
        graph(
            "net.onnx", ValueInfo.of("x", Shape.of(1, 1, 12, 12)), List.of("relu1"), nodes, inits);
    return Prepare.forRun(g, null, List.of("relu1"));
  }

  /** net() rendered on the CPU with identity normalization, no progress listener. */
  private static List<RenderResult> render(RenderOptions o, List<RenderTarget> targets) {
    return new Renderer(net(), InputNormalization.identity(), o).render(targets, s -> {});
  }

  private static RenderOptions options(int steps) {
    return RenderOptions.defaults().withSteps(steps).withTransforms(TransformConfig.none());
  }

  @Test
  void optimizationIncreasesEachImagesOwnObjective() {
    Renderer r = new Renderer(net(), InputNormalization.identity(), options(1));
    List<RenderTarget> targets =
        List.of(
            new RenderTarget(Objectives.channel("relu1", 0), "relu1", 0),
            new RenderTarget(Objectives.channel("relu1", 2), "relu1", 2));
    List<RenderResult> start = r.render(targets, s -> {});
    List<RenderResult> end = render(options(60), targets);
    for (int b = 0; b < 2; b++) {
      assertEquals(RenderResult.Status.OK, end.get(b).status());
      assertTrue(
          end.get(b).objectiveValue() > start.get(b).objectiveValue() + 0.1,
          "unit "
              + b
              + ": "
              + start.get(b).objectiveValue()
              + " -> "
              + end.get(b).objectiveValue());
      assertEquals(
          end.get(b).objectiveValue(),
          end.get(b).activation(),
          1e-6,
          "channel objective = activation");
    }
  }

  /**
   * A copy of the net whose unit 1 is biased so that it is negative everywhere on the grey start
   * image, borders (where zero padding drops taps) included; an image with 1 under its positive
   * weights still reaches it. Its weights sum to 2.0 (positive part 2.6): bias -1.6 gives at most
   * -0.3 on grey, +0.4 on a white image.
   */
  private static Graph silentUnit1() {
    Graph g = net();
    Map<String, Tensor> inits = new LinkedHashMap<>(g.initializers());
    float[] w = g.initializers().get("w").data().clone();
    float[] unit1 = {0.4f, -0.3f, 0.4f, 0.2f, 0.6f, 0.2f, 0.4f, -0.3f, 0.4f};
    System.arraycopy(unit1, 0, w, 9, 9);
    inits.put("w", Tensor.of(Shape.of(4, 1, 3, 3), w));
    float[] b = g.initializers().get("b").data().clone();
    b[1] = -1.6f;
    inits.put("b", Tensor.of(Shape.of(4), b));
    return g.withNodes(g.nodes(), inits);
  }

  @Test
  void aUnitSilentOnTheStartImageIsReachedThroughItsReluInput() {
    Graph silent = silentUnit1();
    List<RenderResult> res =
        new Renderer(silent, InputNormalization.identity(), options(80))
            .render(List.of(new RenderTarget(Objectives.channel("relu1", 1), "relu1", 1)), s -> {});
    assertEquals(RenderResult.Status.OK, res.get(0).status());
    assertTrue(res.get(0).activation() > 0.05, "activation " + res.get(0).activation());
  }

  @Test
  void diversityPushesImagesWithTheSameObjectiveApart() {
    RenderTarget t = new RenderTarget(Objectives.channel("relu1", 0), "relu1", 0);
    List<RenderTarget> twins = List.of(t, t, t);
    List<RenderResult> same = render(options(20), twins);
    assertArrayEquals(
        same.get(0).image(), same.get(1).image(), 0f, "same objective and seed: same image");
    // With a batch term every image starts from its own seed; the term's weight alone then decides
    // how far apart
    // the images end up.
    double without =
        diversity(
            render(options(40).withBatchTerms(List.of(Objectives.diversity("relu1", 0))), twins));
    double with =
        diversity(
            render(options(40).withBatchTerms(List.of(Objectives.diversity("relu1", 20))), twins));
    assertTrue(
        with > without + 0.01,
        "diversity (minus the mean Gram cosine similarity at relu1): "
            + without
            + " without the term, "
            + with
            + " with it");
  }

  /** The diversity term's own measure (weight 1) on the final images' relu1 activations. */
  private static double diversity(List<RenderResult> results) {
    int n = results.size();
    float[] x = new float[n * 144];
    for (int b = 0; b < n; b++) System.arraycopy(results.get(b).image(), 0, x, b * 144, 144);
    Tensor acts =
        new org.featviz.cpu.CpuExecutor(net())
            .forward(Map.of("x", Tensor.of(Shape.of(n, 1, 12, 12), x)), List.of("relu1"))
            .get("relu1");
    Map<String, Tensor> a = Map.of("relu1", acts);
    Map<String, Tensor> g = Map.of("relu1", Tensor.zeros(acts.shape()));
    List<org.featviz.objective.SampleView> views = new java.util.ArrayList<>();
    for (int b = 0; b < n; b++) views.add(new BatchSampleView(a, g, b));
    return Objectives.diversity("relu1", 1).evaluate(views);
  }

  @Test
  void aUnitThatNeverFiresIsReportedDead() {
    List<RenderResult> res =
        render(options(5), List.of(new RenderTarget(Objectives.channel("relu1", 3), "relu1", 3)));
    assertEquals(RenderResult.Status.DEAD, res.get(0).status());
  }

  @Test
  void resultsRepeatWithTheSeedWhateverTheBatch() {
    RenderTarget a = new RenderTarget(Objectives.channel("relu1", 0), "relu1", 0);
    RenderTarget b = new RenderTarget(Objectives.iam("relu1", 1), "relu1", 1);
    RenderOptions o = RenderOptions.defaults().withSteps(8);
    float[] alone = render(o, List.of(a)).get(0).image();
    float[] inBatch = render(o, List.of(b, a)).get(1).image();
    assertArrayEquals(alone, inBatch, 1e-6f);
  }

  @Test
  void aBatchThatDoesNotFitIsAClearErrorNamingTheBatchThatWould() {
    Graph g = net();
    long perImage = MemoryBudget.bytesPerImage(g);
    assertTrue(
        perImage >= 3L * 4 * (144 + 2 * 4 * 144), "input, conv1 and relu1 per image: " + perImage);
    MemoryBudget.check(g, 10, 10 * perImage);
    ModelException e =
        assertThrows(ModelException.class, () -> MemoryBudget.check(g, 1000, 10 * perImage));
    assertTrue(
        e.getMessage().contains("a batch of 1000 images")
            && e.getMessage().contains("at most 10 fits"),
        e.getMessage());
  }

  @Test
  void unitOutOfRangeIsAClearError() {
    Renderer r = new Renderer(net(), InputNormalization.identity(), options(1));
    ModelException e =
        assertThrows(
            ModelException.class,
            () ->
                r.render(
                    List.of(new RenderTarget(Objectives.channel("relu1", 9), "relu1", 9)),
                    s -> {}));
    assertTrue(e.getMessage().contains("relu1") && e.getMessage().contains("9"), e.getMessage());
  }

  @Test
  void iamRevivesAFashionCnnUnitSilentOnTheStartImage() {
    // Issue 9: relu2 unit 4 is zero everywhere on its start image. iam seeds every unit of relu2,
    // and the others
    // pass their ReLUs, so the whole-sample redirect never applied: the unit stayed at exactly 0
    // through every
    // step and was reported OK with a grey image. Its own slice of the seed now goes to conv2 while
    // it is silent.
    Graph g =
        Prepare.forRun(
            OnnxImporter.read(BundledModels.path("fashion-cnn")), null, List.of("relu2"));
    InputNormalization norm = InputNormalization.fromMetadata(g.metadata(), "fashion-cnn");
    RenderTarget t = new RenderTarget(Objectives.iam("relu2", 4), "relu2", 4);
    RenderOptions o =
        RenderOptions.defaults().withSteps(80).withTransforms(TransformConfig.small());
    assertEquals(0.0, RenderTesting.startMax(g, norm, o, t), "relu2 unit 4 on its start image");
    RenderResult r = new Renderer(g, norm, o).render(List.of(t), s -> {}).get(0);
    assertEquals(RenderResult.Status.OK, r.status());
    assertTrue(r.activation() > 0, "relu2 unit 4 after 80 steps of iam: " + r.activation());
  }

  @Test
  void aSilentTargetIsRedirectedAloneWhenTheObjectiveAlsoSeedsFiringUnits() {
    // The net of aUnitSilentOnTheStartImageIsReachedThroughItsReluInput, with an L2 penalty on the
    // whole layer
    // beside unit 1's channel: the penalty's seed passes the ReLUs of the units that fire on grey,
    // so the
    // whole-sample rule does not apply, and it only ever pushes activations down; the per-unit rule
    // must.
    Graph silent = silentUnit1();
    RenderTarget t =
        new RenderTarget(
            Objectives.channel("relu1", 1)
                .plus(Objectives.layerPenalty("relu1", PenaltyNorm.L2, 0.1)),
            "relu1",
            1);
    RenderOptions o = options(80);
    assertEquals(
        0.0, RenderTesting.startMax(silent, InputNormalization.identity(), o, t), "unit 1 on grey");
    assertTrue(
        RenderTesting.startMax(
                silent,
                InputNormalization.identity(),
                o,
                new RenderTarget(t.objective(), "relu1", 0))
            > 0,
        "unit 0 fires on grey");
    RenderResult r =
        new Renderer(silent, InputNormalization.identity(), o).render(List.of(t), s -> {}).get(0);
    assertEquals(RenderResult.Status.OK, r.status());
    assertTrue(r.activation() > 0.05, "activation " + r.activation());
  }

  @Test
  void aUnitThatNeverFiresIsReportedDeadUnderIamToo() {
    // iam seeds the other units as well, so the image moves (the step-0 test that makes channel
    // DEAD does not
    // apply); unit 3 still cannot fire, and a unit silent on its final image is reported DEAD,
    // never OK.
    List<RenderResult> res =
        render(
            options(20),
            List.of(
                new RenderTarget(Objectives.iam("relu1", 3), "relu1", 3),
                new RenderTarget(Objectives.iam("relu1", 0), "relu1", 0)));
    assertEquals(
        RenderResult.Status.DEAD, res.get(0).status(), "iam on the unit with zero weights");
    assertEquals(0.0, res.get(0).activation());
    assertEquals(RenderResult.Status.OK, res.get(1).status(), "iam on a live unit");
  }
}
