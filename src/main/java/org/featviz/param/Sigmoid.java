package org.featviz.param;

/**
 * The logistic function that maps unconstrained values into (0, 1), and its chain rule written with
 * its output.
 */
final class Sigmoid {
  private Sigmoid() {}

  /**
   * 1 / (1 + e^-x), in double then rounded; |x| beyond about 17 rounds to exactly 0 or 1 in float.
   */
  static float of(float x) {
    return (float) (1 / (1 + Math.exp(-x)));
  }

  /** d sigmoid / dx at the point whose output is s: s (1 - s). */
  static float slope(float s) {
    return s * (1 - s);
  }
}
