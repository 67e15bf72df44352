package org.featviz.analysis;

import java.util.Arrays;

/** Quantiles of a sample, linear between order statistics (R's type 7, NumPy's default). */
public final class Quantiles {
  private Quantiles() {}

  /** The q-quantile (0 <= q <= 1) of values sorted ascending; NaN for none. */
  public static double ofSorted(double[] sorted, double q) {
    if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("quantile " + q + " of [0, 1]");
    if (sorted.length == 0) return Double.NaN;
    double pos = q * (sorted.length - 1);
    int i = (int) Math.floor(pos);
    int j = Math.min(sorted.length - 1, i + 1);
    return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
  }

  /** The median of values in any order (the mean of the middle two for an even count). */
  public static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return ofSorted(s, 0.5);
  }
}
