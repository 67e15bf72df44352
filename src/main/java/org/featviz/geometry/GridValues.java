package org.featviz.geometry;

/**
 * The units' values at the points of a square grid over a plane's view, a band of rows at a time.
 */
@FunctionalInterface
public interface GridValues {
  /**
   * The values at grid rows {@code from} (inclusive) to {@code to}: {@code [(to - from) *
   * resolution][units]} flattened, row-major, each row from left (smallest s) to right.
   */
  float[] rows(int from, int to);
}
