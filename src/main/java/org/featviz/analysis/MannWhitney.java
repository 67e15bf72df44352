package org.featviz.analysis;

/**
 * The Mann-Whitney U test of two independent samples x and y: U counts the pairs (x_i, y_j) with
 * x_i > y_j, a tie counting one half, so U = 0 when every x lies below every y and U = n1 * n2 when
 * every x lies above. Two-sided p-value: exact (the distribution of U under the null, by the
 * counting recursion) for samples without ties of at most {@value #EXACT_MAX} each; otherwise the
 * normal approximation with the tie correction of the variance and a continuity correction of 1/2.
 * Effect size: the rank-biserial correlation 2U / (n1 n2) - 1 = P(x > y) - P(x < y), in [-1, 1].
 */
public final class MannWhitney {
  /** The largest sample size the exact p-value is computed for (when there are no ties). */
  public static final int EXACT_MAX = 25;

  private MannWhitney() {}

  /**
   * @param u U of x (pairs with x above y, ties one half)
   * @param z the normal approximation's z (continuity-corrected, >= 0; NaN when all values tie)
   * @param p the two-sided p-value
   * @param rankBiserial 2U / (n1 n2) - 1
   * @param exact whether p is the exact one
   */
  public record Result(
      double u, double z, double p, double rankBiserial, boolean exact, int n1, int n2) {}

  /** The test of x against y; both non-empty, NaN refused. */
  public static Result test(double[] x, double[] y) {
    int n1 = x.length;
    int n2 = y.length;
    if (n1 == 0 || n2 == 0)
      throw new IllegalArgumentException("Mann-Whitney needs two non-empty samples");
    double[] all = new double[n1 + n2];
    for (int i = 0; i < n1; i++) all[i] = checked(x[i]);
    for (int j = 0; j < n2; j++) all[n1 + j] = checked(y[j]);
    double[] ranks = Spearman.ranks(all);
    double r1 = 0;
    for (int i = 0; i < n1; i++) r1 += ranks[i];
    double u = r1 - n1 * (n1 + 1) / 2.0;
    double n = n1 + n2;
    double ties = tieTerm(all);
    double mu = n1 * (double) n2 / 2;
    double variance = n1 * (double) n2 / 12 * ((n + 1) - ties / (n * (n - 1)));
    double z =
        variance > 0 ? Math.max(0, Math.abs(u - mu) - 0.5) / Math.sqrt(variance) : Double.NaN;
    boolean exact = ties == 0 && n1 <= EXACT_MAX && n2 <= EXACT_MAX;
    double p;
    if (exact) p = exactTwoSided((int) Math.round(u), n1, n2);
    else p = variance > 0 ? Math.min(1, 2 * StandardNormal.upperTail(z)) : 1;
    return new Result(u, z, p, 2 * u / (n1 * (double) n2) - 1, exact, n1, n2);
  }

  private static double checked(double v) {
    if (Double.isNaN(v)) throw new IllegalArgumentException("Mann-Whitney: a value is NaN");
    return v;
  }

  /** sum over groups of tied values of t^3 - t. */
  private static double tieTerm(double[] values) {
    double[] s = values.clone();
    java.util.Arrays.sort(s);
    double sum = 0;
    for (int i = 0; i < s.length; ) {
      int j = i;
      while (j + 1 < s.length && s[j + 1] == s[i]) j++;
      double t = j - i + 1;
      sum += t * t * t - t;
      i = j + 1;
    }
    return sum;
  }

  /**
   * 2 min(P(U <= u), P(U >= u)), capped at 1, with P from the null distribution of U for sizes n1,
   * n2: p(u; m, n) = m/(m+n) p(u - n; m - 1, n) + n/(m+n) p(u; m, n - 1) (the largest value of the
   * pooled sample is an x, adding n to U, or a y).
   */
  static double exactTwoSided(int u, int n1, int n2) {
    double[] pmf = nullDistribution(n1, n2);
    double below = 0;
    double above = 0;
    for (int k = 0; k < pmf.length; k++) {
      if (k <= u) below += pmf[k];
      if (k >= u) above += pmf[k];
    }
    return Math.min(1, 2 * Math.min(below, above));
  }

  /** P(U = k) for k = 0..n1 n2 under the null. */
  static double[] nullDistribution(int n1, int n2) {
    // prev[m][k]: the distribution for sizes (m, n - 1); built up n from 0.
    double[][] prev = new double[n1 + 1][];
    for (int m = 0; m <= n1; m++) prev[m] = new double[] {1}; // n = 0: U = 0 surely
    for (int n = 1; n <= n2; n++) {
      double[][] cur = new double[n1 + 1][];
      cur[0] = new double[] {1}; // m = 0: U = 0 surely
      for (int m = 1; m <= n1; m++) {
        double[] d = new double[m * n + 1];
        double wx = m / (double) (m + n);
        double wy = n / (double) (m + n);
        double[] fromX = cur[m - 1]; // sizes (m - 1, n), U shifted by n
        double[] fromY = prev[m]; // sizes (m, n - 1)
        for (int k = 0; k < fromX.length; k++) d[k + n] += wx * fromX[k];
        for (int k = 0; k < fromY.length; k++) d[k] += wy * fromY[k];
        cur[m] = d;
      }
      prev = cur;
    }
    return prev[n1];
  }
}
