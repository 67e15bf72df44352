package org.featviz.objective;

/**
 * The dot product with a direction v, per position averaged ({@link Objectives#direction}): value
 * (1/P) sum_p a_p . v, gradient v / P at every position.
 */
public final class Direction extends PerPositionObjective {
  private final float[] vector;

  /** @param vector a checked direction ({@link VectorMath#checkedDirection}), kept as it is */
  Direction(String layer, float[] vector) {
    super("direction", layer, VectorText.of(vector), VectorFunctions.dot(vector));
    this.vector = vector;
  }

  /** v, one value per unit of the layer (a copy). */
  public float[] vector() {
    return vector.clone();
  }
}
