package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.data.Dataset;
import org.featviz.ir.ModelException;
import org.featviz.model.InputNormalization;
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

  @Test
  void accuracyAndLossWithUnitsAblatedAreTheHandWorkedOnes() {
    HandWorkedAblation.assertTwoPixels(
        tmp,
        (g, sets, data, r, means, batch) ->
            Ablation.run(
                g, "h", sets, data, InputNormalization.identity(), r, means, 4, batch, n -> {}),
        "CPU");
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
                    HandWorkedAblation.twoPixels(tmp),
                    "h",
                    List.of(new int[] {2}),
                    HandWorkedAblation.pairs(new float[] {1, 0, 0, 1, 2, 1, 1, 3}, 0, 1, 0, 1),
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
    Dataset data = TestData.fashionMnistTest(300);
    BundledModels.Prepared cnn = BundledModels.prepare("fashion-cnn", List.of("logits", "relu2"));
    Evaluation e =
        Evaluator.run(
            Prepare.forRun(cnn.imported(), null, List.of()), data, cnn.norm(), 100, n -> {});
    List<Ablation.Score> s =
        Ablation.run(
            cnn.graph(),
            "relu2",
            List.of(new int[0], new int[] {0, 1, 2, 3}),
            data,
            cnn.norm(),
            Ablation.Replacement.ZERO,
            null,
            300,
            100,
            n -> {});
    assertEquals(e.accuracy(), s.get(0).accuracy(), 1e-12);
    org.junit.jupiter.api.Assertions.assertTrue(
        s.get(1).meanLoss() != s.get(0).meanLoss(), "ablation changes the loss");
  }
}
