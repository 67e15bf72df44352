package org.featviz.geometry;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Gives every grid point its sign pattern (which units are positive; 0 counts as off, as a ReLU
 * takes it) and numbers the distinct patterns: the regions the units cut the plane into. A pattern
 * is keyed by two independent 64-bit hashes of its bits, so that layers of tens of thousands of
 * units need not keep every pattern (the chance that two of a million patterns share both hashes is
 * below 1e-26); the exact bits are kept where asked for, for the pictures of single units.
 */
public final class SignRegions {
  private SignRegions() {}

  /** Units up to which the exact patterns may be kept (64 words a point). */
  public static final int MAX_KEPT_UNITS = 4096;

  /** Grid points per call of {@link GridValues#rows}. */
  static final int POINTS_PER_BAND = 4096;

  private record Key(long a, long b) {}

  /**
   * The region map of a {@code resolution x resolution} grid ({@code resolution x 1} for a line).
   *
   * @param keepSigns keep each point's exact pattern (at most {@link #MAX_KEPT_UNITS} units)
   */
  public static RegionMap map(
      GridValues values, int width, int height, int units, boolean keepSigns) {
    return map(values, width, height, units, keepSigns, POINTS_PER_BAND, rows -> {});
  }

  /**
   * As above, asking for about {@code pointsPerBand} points a call (at least one row) and telling
   * {@code onRows} how many rows each band held.
   */
  public static RegionMap map(
      GridValues values,
      int width,
      int height,
      int units,
      boolean keepSigns,
      int pointsPerBand,
      java.util.function.IntConsumer onRows) {
    if (units < 1) throw new IllegalArgumentException("no units to cut the plane");
    if (keepSigns && units > MAX_KEPT_UNITS) {
      throw new IllegalArgumentException(
          units + " units: sign patterns are kept for at most " + MAX_KEPT_UNITS);
    }
    int words = (units + 63) / 64;
    long[] hashA = new long[width * height];
    long[] hashB = new long[width * height];
    long[] signs = keepSigns ? new long[width * height * words] : null;
    int band = Math.max(1, pointsPerBand / width);
    for (int from = 0; from < height; from += band) {
      int to = Math.min(height, from + band);
      float[] v = values.rows(from, to);
      if (v.length != (to - from) * width * units) {
        throw new IllegalStateException(
            "grid rows " + from + ".." + to + " gave " + v.length + " values");
      }
      patterns(v, (to - from) * width, units, from * width, hashA, hashB, signs);
      onRows.accept(to - from);
    }
    return number(width, height, units, hashA, hashB, signs);
  }

  /**
   * Numbers the points' patterns, given as their two hashes, in the order first met: the region map
   * of a grid whose patterns were computed elsewhere (on a device, by cuda/regions.cu, bit for bit
   * as {@link #patterns} computes them).
   */
  static RegionMap number(
      int width, int height, int units, long[] hashA, long[] hashB, long[] signs) {
    Map<Key, Integer> ids = new HashMap<>();
    int[] id = new int[width * height];
    for (int p = 0; p < id.length; p++) {
      id[p] = ids.computeIfAbsent(new Key(hashA[p], hashB[p]), k -> ids.size());
    }
    return new RegionMap(width, height, units, id, ids.size(), signs);
  }

  /**
   * The patterns of {@code points} points of {@code values} ({@code [points][units]}): their hashes
   * into {@code hashA[first..]} and {@code hashB[first..]}, and where {@code signs} is not null
   * their words. The CPU twin of cuda/regions.cu's sign_patterns.
   */
  static void patterns(
      float[] values, int points, int units, int first, long[] hashA, long[] hashB, long[] signs) {
    int words = (units + 63) / 64;
    IntStream.range(0, points)
        .parallel()
        .forEach(p -> pattern(values, p * units, units, first + p, hashA, hashB, signs, words));
  }

  private static void pattern(
      float[] v,
      int offset,
      int units,
      int point,
      long[] hashA,
      long[] hashB,
      long[] signs,
      int words) {
    long a = 0x243F6A8885A308D3L;
    long b = 0x13198A2E03707344L;
    for (int w = 0; w < words; w++) {
      long bits = 0;
      int end = Math.min(units, (w + 1) * 64);
      for (int u = w * 64; u < end; u++) {
        if (v[offset + u] > 0) bits |= 1L << (u & 63);
      }
      a = mix(a ^ bits) + w;
      b = mix(b + bits * 0x9E3779B97F4A7C15L) ^ w;
      if (signs != null) signs[point * words + w] = bits;
    }
    hashA[point] = mix(a);
    hashB[point] = mix(b ^ 0x452821E638D01377L);
  }

  /**
   * A 64-bit finalizer (xor-shift-multiply): every input bit changes about half the output bits.
   */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
