package org.featviz.objective;

/**
 * The cosine similarity with a direction v, per position averaged ({@link Objectives#cosine}): value
 * (1/P) sum_p a_p . v / (|a_p| |v|) with guarded norms (docs/objectives.md).
 */
public final class Cosine extends PerPositionObjective {
  private final float[] vector;

  /** @param vector a checked direction ({@link VectorMath#checkedDirection}), kept as it is */
  Cosine(String layer, float[] vector) {
    super("cosine", layer, VectorText.of(vector), VectorFunctions.cosine(vector));
    this.vector = vector;
  }

  /** v, one value per unit of the layer (a copy). */
  public float[] vector() {
    return vector.clone();
  }
}
