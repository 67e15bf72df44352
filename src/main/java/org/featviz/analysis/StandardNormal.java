package org.featviz.analysis;

/**
 * The upper tail of the standard normal distribution, Q(z) = P(Z > z), to about 1e-14 relative: the
 * erf power series where it converges fast (|z| < 3) and a continued fraction for erfc beyond (so
 * that small p-values keep their digits instead of being 1 - Phi rounded).
 */
public final class StandardNormal {
  private static final double SQRT2 = Math.sqrt(2);

  private StandardNormal() {}

  /** P(Z > z). */
  public static double upperTail(double z) {
    if (Double.isNaN(z)) return Double.NaN;
    if (z < 0) return 1 - upperTail(-z);
    double x = z / SQRT2;
    return x < 2.1 ? 0.5 * (1 - erfSeries(x)) : 0.5 * erfcFraction(x);
  }

  /** erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)). */
  private static double erfSeries(double x) {
    double term = x;
    double sum = x;
    for (int n = 1; n < 200; n++) {
      term *= -x * x / n;
      double add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }

  /**
   * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated
   * by the modified Lentz method; converges quickly for x >= 2.
   */
  private static double erfcFraction(double x) {
    double tiny = 1e-300;
    double f = x;
    double c = x;
    double d = 0;
    for (int n = 1; n < 500; n++) {
      double a = n / 2.0;
      d = x + a * d;
      d = d == 0 ? tiny : d;
      c = x + a / c;
      c = c == 0 ? tiny : c;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
  }
}
