package org.featviz.analysis;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Spearman's rank correlation of two per-unit measures (e.g. RS and selectivity over a layer's
 * units): Pearson's correlation of their ranks, ties given their average rank. With a two-sided
 * permutation p-value (the share of seeded random pairings whose |rho| reaches the observed one,
 * counting the observed pairing itself, so p is never 0) and a percentile bootstrap interval (units
 * resampled with replacement).
 */
public final class Spearman {
  private Spearman() {}

  /** rho and how sure it is. {@code low}/{@code high} bound the 95% bootstrap interval. */
  public record Result(double rho, double pValue, double low, double high, int n) {}

  /** rho of x and y (same length, at least 2); NaN where either has no spread (all values tied). */
  public static double rho(double[] x, double[] y) {
    check(x, y);
    return pearson(ranks(x), ranks(y));
  }

  /**
   * rho with a permutation p-value ({@code permutations} draws) and a bootstrap interval ({@code
   * resamples}).
   */
  public static Result test(double[] x, double[] y, int permutations, int resamples, long seed) {
    check(x, y);
    double[] rx = ranks(x);
    double[] ry = ranks(y);
    double rho = pearson(rx, ry);
    SplittableRandom random = new SplittableRandom(seed);
    int atLeast = 1; // the observed pairing is one of the pairings
    double[] shuffled = ry.clone();
    for (int p = 0; p < permutations; p++) {
      shuffle(shuffled, random);
      if (Math.abs(pearson(rx, shuffled)) >= Math.abs(rho) - 1e-12) atLeast++;
    }
    double[] draws = new double[resamples];
    double[] bx = new double[x.length];
    double[] by = new double[y.length];
    int kept = 0;
    for (int r = 0; r < resamples; r++) {
      for (int i = 0; i < x.length; i++) {
        int k = random.nextInt(x.length);
        bx[i] = x[k];
        by[i] = y[k];
      }
      double v = pearson(ranks(bx), ranks(by));
      if (!Double.isNaN(v)) draws[kept++] = v; // a resample without spread has no rho
    }
    Arrays.sort(draws, 0, kept);
    double low = kept == 0 ? Double.NaN : draws[(int) Math.floor(0.025 * (kept - 1))];
    double high = kept == 0 ? Double.NaN : draws[(int) Math.ceil(0.975 * (kept - 1))];
    double p = Double.isNaN(rho) ? Double.NaN : (double) atLeast / (permutations + 1);
    return new Result(rho, p, low, high, x.length);
  }

  /** Ranks 1..n, tied values sharing the mean of the ranks they span. */
  static double[] ranks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; ) {
      int j = i;
      while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) j++;
      double mean = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) r[order[k]] = mean;
      i = j + 1;
    }
    return r;
  }

  private static double pearson(double[] a, double[] b) {
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= a.length;
    mb /= b.length;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
  }

  private static void shuffle(double[] v, SplittableRandom random) {
    for (int i = v.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      double t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
  }

  private static void check(double[] x, double[] y) {
    if (x.length != y.length)
      throw new IllegalArgumentException(x.length + " and " + y.length + " values");
    if (x.length < 2)
      throw new IllegalArgumentException("a correlation needs at least 2 units, got " + x.length);
    for (int i = 0; i < x.length; i++) {
      if (Double.isNaN(x[i]) || Double.isNaN(y[i]))
        throw new IllegalArgumentException("value " + i + " is NaN");
    }
  }
}
