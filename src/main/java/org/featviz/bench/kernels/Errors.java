package org.featviz.bench.kernels;

import java.util.Random;

/** The comparisons and random inputs the kernel benchmarks share. */
final class Errors {
  private Errors() {}

  /**
   * max |actual - expected| / max |expected| over the finite expected values (the error relative to
   * the output's scale, so elements near zero are judged at the precision of the large ones); NaN
   * where an actual value is not finite while its expected value is, or where the lengths differ.
   */
  static double relative(float[] expected, float[] actual) {
    if (expected.length != actual.length) return Double.NaN;
    double scale = 0;
    for (float e : expected) if (Float.isFinite(e)) scale = Math.max(scale, Math.abs(e));
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      if (!Float.isFinite(expected[i])) continue;
      if (!Float.isFinite(actual[i])) return Double.NaN;
      worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]));
    }
    if (worst == 0) return 0;
    return scale == 0 ? Double.POSITIVE_INFINITY : worst / scale;
  }

  /** The larger of two errors, NaN if either is NaN. */
  static double worst(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) return Double.NaN;
    return Math.max(a, b);
  }

  static float[] uniform(Random rng, int n, float lo, float hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.nextFloat();
    return v;
  }

  static float[] slice(float[] v, int from, int length) {
    float[] s = new float[length];
    System.arraycopy(v, from, s, 0, length);
    return s;
  }
}
