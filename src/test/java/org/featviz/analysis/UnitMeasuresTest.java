package org.featviz.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.featviz.analysis.ClassSelectivity.Negatives;
import org.junit.jupiter.api.Test;

/**
 * RS, class selectivity and Spearman's rho on small cases whose answers are known by hand or in
 * closed form.
 */
class UnitMeasuresTest {
  @Test
  void rsCountsTheUnitsAboveAndTheTiesApart() {
    float[] a = {0.5f, 1f, 0.2f, 1f, 0f};
    assertEquals(new RepresentativeSubstitution(0, 1, 5), RepresentativeSubstitution.of(a, 1));
    assertEquals(0.0, RepresentativeSubstitution.of(a, 1).value());
    assertEquals(new RepresentativeSubstitution(4, 0, 5), RepresentativeSubstitution.of(a, 4));
    assertEquals(0.8, RepresentativeSubstitution.of(a, 4).value(), 1e-15);
    // a silent layer: nobody is above, everybody ties
    assertEquals(
        new RepresentativeSubstitution(0, 3, 4), RepresentativeSubstitution.of(new float[4], 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> RepresentativeSubstitution.of(new float[] {1, Float.NaN}, 0));
    assertThrows(IllegalArgumentException.class, () -> RepresentativeSubstitution.of(a, 5));
  }

  @Test
  void selectivityOfKnownProfiles() {
    assertEquals(1.0, ClassSelectivity.of(new double[] {1, 0, 0, 0}, Negatives.REFUSE));
    assertEquals(0.0, ClassSelectivity.of(new double[] {2, 2, 2}, Negatives.REFUSE));
    assertEquals(0.5, ClassSelectivity.of(new double[] {1, 3, 1}, Negatives.REFUSE), 1e-15);
    assertEquals(
        0.0,
        ClassSelectivity.of(new double[] {0, 0, 0}, Negatives.REFUSE),
        "a dead unit prefers nothing");
    assertEquals(1.0, ClassSelectivity.of(new double[] {-1, 2, 0}, Negatives.CLAMP));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClassSelectivity.of(new double[] {-1, 2, 0}, Negatives.REFUSE));
    assertTrue(e.getMessage().contains("class 0 has a negative mean"), e.getMessage());
  }

  @Test
  void spearmanMatchesTheClosedFormsAndAveragesTies() {
    // no ties: rho = 1 - 6 sum d^2 / (n (n^2 - 1)) = 1 - 24 / 120
    assertEquals(
        0.8, Spearman.rho(new double[] {1, 2, 3, 4, 5}, new double[] {2, 1, 4, 3, 5}), 1e-12);
    // ties take their average rank: ranks of y are 1, 2.5, 2.5, 4, and rho = 4.5 / sqrt(5 * 4.5) =
    // 3 / sqrt(10)
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Spearman.ranks(new double[] {1, 2, 2, 3}));
    assertEquals(
        3 / Math.sqrt(10),
        Spearman.rho(new double[] {1, 2, 3, 4}, new double[] {1, 2, 2, 3}),
        1e-12);
    assertEquals(-1.0, Spearman.rho(new double[] {1, 2, 3}, new double[] {9, 5, 1}), 1e-12);
    assertTrue(
        Double.isNaN(Spearman.rho(new double[] {1, 2, 3}, new double[] {4, 4, 4})),
        "no spread, no rho");
  }

  @Test
  void permutationPValueOfAPerfectOrderIsTwoOverNFactorial() {
    // Of the 5! = 120 pairings exactly 2 reach |rho| = 1: the exact two-sided p is 1/60.
    Spearman.Result r =
        Spearman.test(
            new double[] {1, 2, 3, 4, 5}, new double[] {10, 20, 30, 40, 50}, 20_000, 200, 7);
    assertEquals(1.0, r.rho(), 1e-12);
    assertEquals(1 / 60.0, r.pValue(), 0.003, "p " + r.pValue());
    assertEquals(1.0, r.low(), 1e-12, "every resample of a perfect order is perfectly ordered");
    assertEquals(1.0, r.high(), 1e-12);
  }

  @Test
  void bootstrapIntervalHoldsRhoAndNarrowsWithMoreUnits() {
    java.util.Random random = new java.util.Random(3);
    double[] widths = new double[2];
    int[] sizes = {30, 300};
    for (int s = 0; s < 2; s++) {
      double[] x = new double[sizes[s]];
      double[] y = new double[sizes[s]];
      for (int i = 0; i < x.length; i++) {
        x[i] = random.nextGaussian();
        y[i] = x[i] + random.nextGaussian();
      }
      Spearman.Result r = Spearman.test(x, y, 2000, 2000, 11);
      assertTrue(r.low() <= r.rho() && r.rho() <= r.high(), r.toString());
      assertTrue(r.pValue() < 0.01, "a strong correlation is significant: " + r);
      widths[s] = r.high() - r.low();
    }
    assertTrue(
        widths[1] < widths[0] / 2,
        "10x the units, about a third of the width: " + widths[0] + " " + widths[1]);
  }
}
