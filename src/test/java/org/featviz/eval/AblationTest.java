package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.data.Dataset;
import org.featviz.data.FashionMnist;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.featviz.onnx.OnnxImporter;
import org.featviz.onnx.OnnxModelBuilder;
import org.featviz.onnx.OnnxModelBuilder.Attr;
import org.featviz.passes.Prepare;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ablation on a network whose answer is worked out by hand: two pixels (a, b) go through identity
 * weights and a ReLU to the class scores, so with a unit ablated the scores are (0, b) or (a, 0)
 * and argmax (first maximum on ties) decides. And on the bundled CNN: the intact set reproduces
 * eval's accuracy.
 */
class AblationTest {
  @TempDir Path tmp;

  private Graph twoPixels() {
    Path m =
        new OnnxModelBuilder()
            .opset(13)
            .input("x", "N", 1, 1, 2)
            .initializer("eye", new long[] {2, 2}, 1f, 0f, 0f, 1f)
            .node("Flatten", "flat", List.of("x"), List.of("flat"))
            .node("Gemm", "fc1", List.of("flat", "eye"), List.of("fc1"))
            .node("Relu", "h", List.of("fc1"), List.of("h"))
            .node("Gemm", "fc2", List.of("h", "eye"), List.of("logits"), Attr.i("transB", 1))
            .output("logits", "N", 2)
            .write(tmp.resolve("m.onnx"));
    return Prepare.forRun(OnnxImporter.read(m), null, List.of("logits", "h"));
  }

  private static Dataset pairs() {
    float[] px = {1, 0, 0, 1, 2, 1, 1, 3};
    return new Dataset(
        "pairs", Tensor.of(Shape.of(4, 1, 1, 2), px), new int[] {0, 1, 0, 1}, List.of("a", "b"));
  }

  @Test
  void accuracyAndLossWithUnitsAblatedAreTheHandWorkedOnes() {
    List<Ablation.Score> s =
        Ablation.run(
            twoPixels(),
            "h",
            List.of(new int[0], new int[] {0}, new int[] {1}, new int[] {0, 1}),
            pairs(),
            InputNormalization.identity(),
            Ablation.Replacement.ZERO,
            null,
            4,
            3,
            n -> {});
    assertEquals(1.0, s.get(0).accuracy());
    assertEquals(
        0.75,
        s.get(1).accuracy(),
        "(0,0)->a right, (0,1)->b right, (0,1)->b wrong, (0,3)->b right");
    assertEquals(
        0.5, s.get(2).accuracy(), "(1,0) right, (0,0)->a wrong, (2,0) right, (1,0)->a wrong");
    assertEquals(0.5, s.get(3).accuracy(), "all (0,0): class a for every image");
    // loss of scores (a, b) for label y: log(e^a + e^b) - score_y
    double intact = (softplus(-1) + softplus(-1) + softplus(-1) + softplus(-2)) / 4;
    assertEquals(intact, s.get(0).meanLoss(), 1e-6);
    assertEquals(Math.log(2), s.get(3).meanLoss(), 1e-6, "equal scores: log 2 for every image");
    List<Ablation.Score> byMean =
        Ablation.run(
            twoPixels(),
            "h",
            List.of(new int[] {0}),
            pairs(),
            InputNormalization.identity(),
            Ablation.Replacement.MEAN,
            new float[] {5f, 0f},
            4,
            4,
            n -> {});
    assertEquals(
        0.5,
        byMean.get(0).accuracy(),
        "unit 0 at 5 outscores every b: right for the two images of class a only");
  }

  @Test
  void cumulativeSetsArePrefixesAndBadUnitsAreRefused() {
    List<int[]> sets = Ablation.cumulative(new int[] {3, 1, 2, 0}, new double[] {0, 0.5, 1});
    assertArrayEquals(new int[0], sets.get(0));
    assertArrayEquals(new int[] {3, 1}, sets.get(1));
    assertArrayEquals(new int[] {3, 1, 2, 0}, sets.get(2));
    ModelException e =
        assertThrows(
            ModelException.class,
            () ->
                Ablation.run(
                    twoPixels(),
                    "h",
                    List.of(new int[] {2}),
                    pairs(),
                    InputNormalization.identity(),
                    Ablation.Replacement.ZERO,
                    null,
                    4,
                    4,
                    n -> {}));
    assertEquals("layer 'h' has 2 units; unit 2 is out of range", e.getMessage());
  }

  @Test
  void theIntactFashionCnnScoresWhatEvalReports() {
    TestData.require(
        FashionMnist.defaultDir().resolve("t10k-images-idx3-ubyte.gz"), "dataset-fashion-mnist");
    Path file = BundledModels.path("fashion-cnn");
    Graph imported = OnnxImporter.read(file);
    Graph g = Prepare.forRun(imported, null, List.of("logits", "relu2"));
    Dataset data =
        FashionMnist.load(FashionMnist.defaultDir(), FashionMnist.Split.TEST).slice(0, 300);
    InputNormalization norm = InputNormalization.fromMetadata(imported.metadata(), file.toString());
    Evaluation e =
        Evaluator.run(Prepare.forRun(imported, null, List.of()), data, norm, 100, n -> {});
    List<Ablation.Score> s =
        Ablation.run(
            g,
            "relu2",
            List.of(new int[0], new int[] {0, 1, 2, 3}),
            data,
            norm,
            Ablation.Replacement.ZERO,
            null,
            300,
            100,
            n -> {});
    assertEquals(e.accuracy(), s.get(0).accuracy(), 1e-12);
    org.junit.jupiter.api.Assertions.assertTrue(
        s.get(1).meanLoss() != s.get(0).meanLoss(), "ablation changes the loss");
  }

  private static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }
}
