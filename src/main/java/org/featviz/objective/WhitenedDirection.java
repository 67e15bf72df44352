package org.featviz.objective;

/**
 * The dot product with v of the whitened activation vector z = W (a - mu), per position averaged
 * ({@link Objectives#whitenedDirection}); v lives in z-space. Gradient W^T v / P at every position.
 */
public final class WhitenedDirection extends PerPositionObjective {
  private final Whitening whitening;
  private final float[] vector;

  /** @param vector a checked direction with one value per unit of the whitening */
  WhitenedDirection(String layer, Whitening whitening, float[] vector) {
    super("whitenedDirection", layer, VectorText.of(vector),
        VectorFunctions.whitened(whitening, VectorFunctions.dot(vector)));
    this.whitening = whitening;
    this.vector = vector;
  }

  /** The whitening the objective measures in (the objective's own object). */
  public Whitening whitening() {
    return whitening;
  }

  /** v in z-space (a copy). */
  public float[] vector() {
    return vector.clone();
  }
}
