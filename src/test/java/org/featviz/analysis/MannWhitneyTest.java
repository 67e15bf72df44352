package org.featviz.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Mann-Whitney U against closed forms, a hand-computed case with ties, and SciPy's values. */
class MannWhitneyTest {
  @Test
  void oneSampleWhollyBelowTheOtherGivesZeroAndTheExactTail() {
    MannWhitney.Result r = MannWhitney.test(new double[] {1, 2, 3}, new double[] {4, 5, 6, 7});
    assertEquals(0, r.u());
    assertEquals(-1, r.rankBiserial());
    assertTrue(r.exact());
    // Only one of the C(7, 3) = 35 orderings puts all of x lowest: p = 2 / 35.
    assertEquals(2.0 / 35, r.p(), 1e-12);
    MannWhitney.Result above = MannWhitney.test(new double[] {4, 5, 6, 7}, new double[] {1, 2, 3});
    assertEquals(12, above.u());
    assertEquals(1, above.rankBiserial());
    assertEquals(2.0 / 35, above.p(), 1e-12);
  }

  @Test
  void theExactNullDistributionSumsToOneAndIsSymmetric() {
    double[] pmf = MannWhitney.nullDistribution(5, 7);
    double sum = 0;
    for (double p : pmf) sum += p;
    assertEquals(1, sum, 1e-12);
    for (int k = 0; k < pmf.length; k++) assertEquals(pmf[k], pmf[pmf.length - 1 - k], 1e-15);
    assertEquals(1.0 / 792, pmf[0], 1e-15); // 1 / C(12, 5)
  }

  @Test
  void aTiedCaseByHand() {
    // Pooled: 2 2 3 4 5 5 6 6 7 8 9 10; x's ranks 1.5 1.5 3 4 5.5 7.5 sum to 23, so
    // U = 23 - 6*7/2 = 2 (6 > 5, and the ties 5 = 5, 6 = 6 count one half each).
    // Ties: three pairs, sum t^3 - t = 18; var = 36/12 (13 - 18/132); z = (16 - 0.5) / sd.
    double[] x = {3, 4, 2, 6, 2, 5};
    double[] y = {9, 7, 5, 10, 6, 8};
    MannWhitney.Result r = MannWhitney.test(x, y);
    assertEquals(2, r.u(), 1e-12);
    assertFalse(r.exact());
    double z = 15.5 / Math.sqrt(3 * (13 - 18.0 / 132));
    assertEquals(z, r.z(), 1e-12);
    // scipy.stats.mannwhitneyu(x, y, method='asymptotic') (SciPy 1.17.1): 0.012591911490379705
    assertEquals(0.012591911490379705, r.p(), 1e-10);
    assertEquals(2 * 2.0 / 36 - 1, r.rankBiserial(), 1e-12);
  }

  @Test
  void largerSamplesWithTiesMatchScipy() {
    double[] x = {
      1, 1, 2, 2, 3, 3, 3, 4, 5, 5, 6, 7, 7, 8, 9, 9, 9, 10, 11, 12, 12, 13, 14, 15, 15, 16, 17, 18
    };
    double[] y = {
      5, 6, 6, 7, 8, 8, 9, 10, 10, 11, 12, 13, 13, 14, 15, 16, 16, 17, 18, 19, 19, 20, 21, 22, 22,
      23, 24, 25, 26, 27
    };
    MannWhitney.Result r = MannWhitney.test(x, y);
    assertEquals(179.5, r.u(), 1e-9);
    assertEquals(0.00018558721683207028, r.p(), 1e-12);
  }

  @Test
  void allValuesTiedGiveNoEvidence() {
    MannWhitney.Result r = MannWhitney.test(new double[] {1, 1, 1}, new double[] {1, 1});
    assertEquals(3, r.u());
    assertEquals(1, r.p());
  }

  @Test
  void theNormalTailMatchesScipyFarOut() {
    assertEquals(0.5, StandardNormal.upperTail(0), 1e-15);
    assertEquals(0.15865525393145707, StandardNormal.upperTail(1), 1e-14);
    assertEquals(0.0013498980316300933, StandardNormal.upperTail(3), 1e-16);
    assertEquals(6.22096057427174e-16, StandardNormal.upperTail(8), 1e-28);
    assertEquals(2.7536241186061556e-89, StandardNormal.upperTail(20), 1e-100);
    assertEquals(1 - 0.022750131948179195, StandardNormal.upperTail(-2), 1e-14);
  }

  @Test
  void quantilesAndPurity() {
    assertEquals(2.5, Quantiles.median(new double[] {4, 1, 3, 2}));
    assertEquals(2 / 3.0, ClassPurity.of(new int[] {1, 1, 0}, 3), 1e-15);
  }
}
