package org.featviz.objective;

import static org.featviz.objective.ObjectiveTesting.CONV;
import static org.featviz.objective.ObjectiveTesting.DENSE;
import static org.featviz.objective.ObjectiveTesting.checkGradient;
import static org.featviz.objective.ObjectiveTesting.gaussian;
import static org.featviz.objective.ObjectiveTesting.randomView;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.featviz.ir.Shape;
import org.featviz.objective.ObjectiveTesting.ArrayView;
import org.junit.jupiter.api.Test;

/**
 * direction, cosine, dotCossim and orthogonalPenalty: hand-computed values, per-position averaging
 * against a plain loop, and gradients against finite differences.
 */
class DirectionObjectivesTest {
  private static final float[] V4 = {0.5f, -1f, 2f, 0.25f};

  @Test
  void directionIsThePerPositionDotAveraged() {
    Random rng = new Random(11);
    ArrayView view = randomView("conv", CONV, rng, -1, 1);
    float[] a = view.activations.get("conv");
    double expected = 0;
    for (int p = 0; p < 9; p++) {
      for (int u = 0; u < 4; u++) expected += V4[u] * a[ObjectiveTesting.PAD + u * 9 + p];
    }
    assertEquals(expected / 9, Objectives.direction("conv", V4).evaluate(view), 1e-6);
    ArrayView dense = new ArrayView().with("fc", Shape.of(3), new float[] {1, 2, 3});
    assertEquals(
        1 * 4 - 2 * 5 + 3 * 6,
        Objectives.direction("fc", new float[] {4, -5, 6}).evaluate(dense),
        1e-12);
    assertArrayEquals(new float[] {4, -5, 6}, dense.grad("fc"));
  }

  @Test
  void directionGradients() {
    checkGradient(Objectives.direction("conv", V4), "conv", CONV, 12);
    checkGradient(Objectives.direction("fc", gaussian(6, new Random(13))), "fc", DENSE, 14);
  }

  @Test
  void cosineValues() {
    ArrayView view = new ArrayView().with("fc", Shape.of(2), new float[] {3, 4});
    assertEquals(0.6, Objectives.cosine("fc", new float[] {2, 0}).evaluate(view), 1e-9);
    ArrayView parallel = new ArrayView().with("fc", Shape.of(3), new float[] {1, 2, 3});
    assertEquals(-1.0, Objectives.cosine("fc", new float[] {-2, -4, -6}).evaluate(parallel), 1e-9);
    // a zero activation vector is guarded: cosine 0, finite gradient
    ArrayView zero = new ArrayView().with("fc", Shape.of(2), new float[] {0, 0});
    assertEquals(0.0, Objectives.cosine("fc", new float[] {1, 0}).evaluate(zero), 0);
    for (float g : zero.grad("fc")) assertTrue(Float.isFinite(g));
  }

  @Test
  void cosineGradients() {
    checkGradient(Objectives.cosine("conv", V4), "conv", CONV, 15);
    checkGradient(Objectives.cosine("fc", gaussian(6, new Random(16))), "fc", DENSE, 17);
  }

  @Test
  void dotCossimAboveTheFloor() {
    ArrayView view = new ArrayView().with("fc", Shape.of(2), new float[] {3, 4});
    // dot 3, cosine 0.6: n = 1 gives 1.8, n = 2 gives 1.08
    assertEquals(1.8, Objectives.dotCossim("fc", new float[] {1, 0}).evaluate(view), 1e-9);
    assertEquals(1.08, Objectives.dotCossim("fc", new float[] {1, 0}, 2, 0.1).evaluate(view), 1e-9);
  }

  @Test
  void dotCossimWithNegativeCosineHitsTheFloor() {
    ArrayView view = new ArrayView().with("fc", Shape.of(2), new float[] {-1, 0});
    Objective o = Objectives.dotCossim("fc", new float[] {1, 0}, 1, 0.1);
    // dot -1, cosine -1 -> floored to 0.1: value -0.1 (the sign of the dot is kept), gradient v *
    // 0.1 only
    assertEquals(-0.1, o.evaluate(view), 1e-9);
    assertArrayEquals(new float[] {0.1f, 0f}, view.grad("fc"), 1e-7f);
    assertEquals("dotCossim(fc, e0 of 2, n=1, floor=0.1)", o.describe());
  }

  @Test
  void dotCossimGradientsOnBothSidesOfTheFloor() {
    Random rng = new Random(18);
    float[] v = gaussian(4, rng);
    ArrayView view = new ArrayView().with("conv", CONV, gaussian(36, rng));
    int below = 0;
    int above = 0;
    float[] a = view.activations.get("conv");
    for (int p = 0; p < 9; p++) {
      double d = 0;
      double na = 0;
      for (int u = 0; u < 4; u++) {
        double x = a[ObjectiveTesting.PAD + u * 9 + p];
        d += x * v[u];
        na += x * x;
      }
      double c = d / Math.sqrt(na) / Math.sqrt(VectorMath.dot(v, v));
      if (c < 0.1) below++;
      else above++;
    }
    assertTrue(
        below > 0 && above > 0, "test data should cover both regimes: " + below + " / " + above);
    for (double n : new double[] {1, 2, 0.5, 0}) {
      checkGradient(Objectives.dotCossim("conv", v, n, 0.1), view, 19);
    }
    checkGradient(
        Objectives.dotCossim("fc", gaussian(6, rng)), randomView("fc", DENSE, rng, -1, 1), 20);
  }

  @Test
  void orthogonalPenaltyValue() {
    ArrayView view = new ArrayView().with("fc", Shape.of(2), new float[] {3, 4});
    // dot 6, orthogonal part (0, 4): 6 - 0.5 * 16 = -2; gradient v - 2 lambda (a - (a.u) u) = (2,
    // 0) - (0, 4)
    assertEquals(
        -2.0, Objectives.orthogonalPenalty("fc", new float[] {2, 0}, 0.5).evaluate(view), 1e-9);
    assertArrayEquals(new float[] {2, -4}, view.grad("fc"), 1e-6f);
  }

  @Test
  void orthogonalPenaltyGradients() {
    checkGradient(Objectives.orthogonalPenalty("conv", V4, 0.7), "conv", CONV, 21);
    checkGradient(
        Objectives.orthogonalPenalty("fc", gaussian(6, new Random(22)), 2), "fc", DENSE, 23);
  }
}
