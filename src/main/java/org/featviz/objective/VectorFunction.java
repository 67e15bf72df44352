package org.featviz.objective;

/**
 * A differentiable function of one activation vector a (the U units at one position): the
 * per-position part of the direction-like objectives. Implementations are in {@link
 * VectorFunctions}.
 */
interface VectorFunction {
  /** U: the length of the vectors it takes. */
  int length();

  /**
   * Returns f(a) and overwrites {@code grad} with df/da; both arrays have {@link #length()} values.
   */
  double apply(double[] a, double[] grad);
}
