package org.featviz.objective;

/**
 * The dot product with v minus a penalty on the part of a orthogonal to v, per position averaged
 * ({@link Objectives#orthogonalPenalty}): value (1/P) sum_p a_p . v - lambda |a_p - (a_p . v^) v^|^2 with
 * v^ = v / |v|.
 */
public final class OrthogonalPenalty extends PerPositionObjective {
  private final float[] vector;
  private final double lambda;

  /** @param vector a checked direction; lambda checked (>= 0, finite) by the factory */
  OrthogonalPenalty(String layer, float[] vector, double lambda) {
    super("orthogonalPenalty", layer, VectorText.of(vector) + ", lambda=" + VectorText.number(lambda),
        VectorFunctions.orthogonalPenalty(vector, lambda));
    this.vector = vector;
    this.lambda = lambda;
  }

  /** v, one value per unit of the layer (a copy). */
  public float[] vector() {
    return vector.clone();
  }

  /** The weight lambda of the orthogonal part's squared norm. */
  public double lambda() {
    return lambda;
  }
}
