package org.featviz.objective;

/**
 * The dot product with a direction v, per position averaged ({@link Objectives#direction}, {@link
 * Objectives#whitenedDirection}): value (1/P) sum_p a_p . v, gradient v / P at every position.
 */
public final class Direction extends DirectionObjective {
  Direction(String layer, Whitening whitening, float[] vector) {
    super(
        "direction", layer, whitening, vector, VectorText.of(vector), VectorFunctions.dot(vector));
  }
}
