package org.featviz.objective;

import static org.featviz.objective.ObjectiveTesting.CONV;
import static org.featviz.objective.ObjectiveTesting.DENSE;
import static org.featviz.objective.ObjectiveTesting.checkBatchGradient;
import static org.featviz.objective.ObjectiveTesting.randomView;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.featviz.ir.Shape;
import org.featviz.objective.ObjectiveTesting.ArrayView;
import org.junit.jupiter.api.Test;

/**
 * Diversity: values for identical and orthogonal elements, a Gram-cosine reference, gradients by
 * differences.
 */
class DiversityTest {
  @Test
  void identicalElementsScoreMinusWeight() {
    float[] a = ObjectiveTesting.uniform(36, new Random(81), -1, 1);
    List<SampleView> batch =
        List.of(new ArrayView().with("conv", CONV, a), new ArrayView().with("conv", CONV, a));
    assertEquals(-2.0, Objectives.diversity("conv", 2).evaluate(batch), 1e-9);
  }

  @Test
  void orthogonalGramsScoreZero() {
    // dense one-hot elements: Grams e_i e_i^T are orthogonal
    List<SampleView> batch =
        List.of(
            new ArrayView().with("fc", Shape.of(3), new float[] {2, 0, 0}),
            new ArrayView().with("fc", Shape.of(3), new float[] {0, -1, 0}),
            new ArrayView().with("fc", Shape.of(3), new float[] {0, 0, 5}));
    assertEquals(0.0, Objectives.diversity("fc", 1).evaluate(batch), 1e-12);
  }

  @Test
  void matchesAPlainGramReference() {
    Random rng = new Random(82);
    List<ArrayView> views = new ArrayList<>();
    for (int b = 0; b < 3; b++) views.add(randomView("conv", CONV, rng, -1, 1));
    double[][] grams = new double[3][16];
    for (int b = 0; b < 3; b++) {
      float[] a = views.get(b).activations.get("conv");
      for (int x = 0; x < 4; x++) {
        for (int y = 0; y < 4; y++) {
          for (int p = 0; p < 9; p++) {
            grams[b][x * 4 + y] +=
                (double) a[ObjectiveTesting.PAD + x * 9 + p] * a[ObjectiveTesting.PAD + y * 9 + p];
          }
        }
      }
    }
    double sum = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        if (i == j) continue;
        sum +=
            VectorMath.dot(grams[i], grams[j])
                / Math.sqrt(
                    VectorMath.dot(grams[i], grams[i]) * VectorMath.dot(grams[j], grams[j]));
      }
    }
    assertEquals(
        -0.5 * sum / 6, Objectives.diversity("conv", 0.5).evaluate(new ArrayList<>(views)), 1e-9);
  }

  @Test
  void singleElementHasNoDiversity() {
    ArrayView view = randomView("conv", CONV, new Random(83), -1, 1);
    assertEquals(0.0, Objectives.diversity("conv", 1).evaluate(List.of(view)), 0);
    assertArrayEquals(new float[36], view.grad("conv"));
  }

  @Test
  void gradients() {
    Random rng = new Random(84);
    List<ArrayView> conv = new ArrayList<>();
    for (int b = 0; b < 3; b++) conv.add(randomView("conv", CONV, rng, -1, 1));
    checkBatchGradient(Objectives.diversity("conv", 1.5), conv, 85, 1e-3, 1e-3);
    List<ArrayView> dense = new ArrayList<>();
    for (int b = 0; b < 4; b++) dense.add(randomView("fc", DENSE, rng, -1, 1));
    checkBatchGradient(Objectives.diversity("fc", 1), dense, 86, 1e-3, 1e-3);
  }

  /**
   * A diverged element (NaN activations) counts as all zero: the others' value and gradients stay
   * finite.
   */
  @Test
  void aNonFiniteElementTakesNoPart() {
    Random rng = new Random(87);
    float[][] acts = new float[3][];
    for (int b = 0; b < 3; b++) acts[b] = ObjectiveTesting.uniform(CONV.size(), rng, -1, 1);
    float[] diverged = acts[1].clone();
    diverged[5] = Float.NaN;
    diverged[9] = Float.POSITIVE_INFINITY;
    List<ArrayView> withNan =
        List.of(
            new ArrayView().with("conv", CONV, acts[0]),
            new ArrayView().with("conv", CONV, diverged),
            new ArrayView().with("conv", CONV, acts[2]));
    List<ArrayView> withZero =
        List.of(
            new ArrayView().with("conv", CONV, acts[0]),
            new ArrayView().with("conv", CONV, new float[CONV.size()]),
            new ArrayView().with("conv", CONV, acts[2]));
    double nan = Objectives.diversity("conv", 1).evaluate(new ArrayList<>(withNan));
    double zero = Objectives.diversity("conv", 1).evaluate(new ArrayList<>(withZero));
    assertTrue(Double.isFinite(nan) && nan != 0, "value " + nan);
    assertEquals(zero, nan, 1e-12);
    for (int b : new int[] {0, 2})
      assertArrayEquals(withZero.get(b).grad("conv"), withNan.get(b).grad("conv"));
    assertArrayEquals(
        new float[CONV.size()], withNan.get(1).grad("conv"), "the diverged element gets nothing");
  }
}
