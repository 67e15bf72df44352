package org.featviz.objective;

/**
 * A differentiable function of one activation vector a (the U units at one position): the
 * per-position part of the direction-like objectives. Made in {@link VectorFunctions}.
 *
 * @param length U: the length of the vectors it takes
 * @param body f itself
 */
record VectorFunction(int length, Body body) {
  /** f(a), writing df/da into grad. */
  interface Body {
    double apply(double[] a, double[] grad);
  }

  /**
   * Returns f(a) and overwrites {@code grad} with df/da; both arrays have {@link #length()} values.
   */
  double apply(double[] a, double[] grad) {
    return body.apply(a, grad);
  }
}
