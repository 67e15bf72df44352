package org.featviz.geometry;

import java.math.BigInteger;

/**
 * How many regions hyperplanes can cut a space into: {@code m} hyperplanes in general position cut
 * a {@code d}-dimensional space into at most {@code sum_{k=0..d} C(m, k)} regions, with equality
 * when they are in general position and the space is unbounded (Schläfli; for lines in a plane,
 * {@code 1 + m + m(m-1)/2}).
 */
public final class RegionBounds {
  private RegionBounds() {}

  /** {@code sum_{k=0..min(d, m)} C(m, k)}. */
  public static BigInteger generalPosition(int m, int d) {
    if (m < 0 || d < 0) throw new IllegalArgumentException("m and d must be >= 0");
    BigInteger sum = BigInteger.ZERO;
    BigInteger term = BigInteger.ONE; // C(m, 0)
    for (int k = 0; k <= Math.min(d, m); k++) {
      sum = sum.add(term);
      term = term.multiply(BigInteger.valueOf(m - k)).divide(BigInteger.valueOf(k + 1));
    }
    return sum;
  }
}
