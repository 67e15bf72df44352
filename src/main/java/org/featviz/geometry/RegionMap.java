package org.featviz.geometry;

/**
 * A grid over a plane where each point carries the region of its sign pattern: {@code ids[y * width
 * + x]} numbers the patterns in the order first met (row 0 at the top), {@code regions} of them.
 * Where kept, {@code signs} holds each point's pattern as bits (unit u positive: bit u of word u /
 * 64 of the point's {@code words()} words).
 */
public record RegionMap(int width, int height, int units, int[] ids, int regions, long[] signs) {

  /** Words per point in {@link #signs}. */
  public int words() {
    return (units + 63) / 64;
  }

  public int id(int x, int y) {
    return ids[y * width + x];
  }

  /** Whether the point's region differs from its right or lower neighbour's. */
  public boolean boundary(int x, int y) {
    int id = id(x, y);
    return (x + 1 < width && id(x + 1, y) != id) || (y + 1 < height && id(x, y + 1) != id);
  }

  /** Whether unit {@code u} is positive at the point; needs {@link #signs}. */
  public boolean positive(int x, int y, int u) {
    if (signs == null) throw new IllegalStateException("the sign patterns were not kept");
    return (signs[(y * width + x) * words() + (u >>> 6)] >>> (u & 63) & 1) != 0;
  }
}
