package org.featviz.objective;

import static org.featviz.objective.ObjectiveTesting.CONV;
import static org.featviz.objective.ObjectiveTesting.DENSE;
import static org.featviz.objective.ObjectiveTesting.awayFrom;
import static org.featviz.objective.ObjectiveTesting.checkGradient;
import static org.featviz.objective.ObjectiveTesting.randomView;
import static org.featviz.objective.ObjectiveTesting.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.featviz.ir.Shape;
import org.featviz.objective.ObjectiveTesting.ArrayView;
import org.junit.jupiter.api.Test;

/** l2Inversion and layerPenalty: values by hand, gradients against finite differences. */
class PenaltyObjectivesTest {
  @Test
  void l2InversionValue() {
    ArrayView view = new ArrayView().with("fc", Shape.of(2), new float[] {1, 2});
    assertEquals(-5.0, Objectives.l2Inversion("fc", new float[] {0, 4}).evaluate(view), 1e-12);
    assertArrayEquals(new float[] {-2, 4}, view.grad("fc"));
  }

  @Test
  void l2InversionGradients() {
    Random rng = new Random(31);
    checkGradient(
        Objectives.l2Inversion("conv", uniform(36, rng, -1, 1)),
        randomView("conv", CONV, rng, -1, 1),
        31);
    checkGradient(
        Objectives.l2Inversion("fc", uniform(6, rng, -1, 1)),
        randomView("fc", DENSE, rng, -1, 1),
        32);
  }

  @Test
  void layerPenaltyValues() {
    ArrayView view = new ArrayView().with("fc", Shape.of(3), new float[] {1, -2, 3});
    assertEquals(
        -0.5 * 14 / 3, Objectives.layerPenalty("fc", PenaltyNorm.L2, 0.5).evaluate(view), 1e-12);
    assertArrayEquals(new float[] {-1f / 3, 2f / 3, -1f}, view.grad("fc"), 1e-7f);
    view.clearGradients();
    assertEquals(
        -0.5 * 6 / 3, Objectives.layerPenalty("fc", PenaltyNorm.L1, 0.5).evaluate(view), 1e-12);
    assertArrayEquals(new float[] {-1f / 6, 1f / 6, -1f / 6}, view.grad("fc"), 1e-7f);
    assertEquals(
        "layerPenalty(fc, L1, 0.5)", Objectives.layerPenalty("fc", PenaltyNorm.L1, 0.5).describe());
  }

  @Test
  void layerPenaltyGradients() {
    Random rng = new Random(33);
    for (PenaltyNorm norm : PenaltyNorm.values()) {
      // away from 0, where |a| has no derivative
      checkGradient(
          Objectives.layerPenalty("conv", norm, 0.3),
          new ArrayView().with("conv", CONV, awayFrom(0, 0.01f, 36, rng, -1, 1)),
          34);
      checkGradient(
          Objectives.layerPenalty("fc", norm, 2),
          new ArrayView().with("fc", DENSE, awayFrom(0, 0.01f, 6, rng, -1, 1)),
          35);
    }
  }
}
