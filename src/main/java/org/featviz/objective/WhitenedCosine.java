package org.featviz.objective;

/**
 * The cosine similarity of the whitened activation vector z = W (a - mu) with v, per position averaged
 * ({@link Objectives#whitenedCosine}); v lives in z-space.
 */
public final class WhitenedCosine extends PerPositionObjective {
  private final Whitening whitening;
  private final float[] vector;

  /** @param vector a checked direction with one value per unit of the whitening */
  WhitenedCosine(String layer, Whitening whitening, float[] vector) {
    super("whitenedCosine", layer, VectorText.of(vector),
        VectorFunctions.whitened(whitening, VectorFunctions.cosine(vector)));
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
