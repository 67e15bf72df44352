package org.featviz.objective;

/**
 * The dot product with v minus a penalty on the part of a orthogonal to v, per position averaged
 * ({@link Objectives#orthogonalPenalty}): value (1/P) sum_p a_p . v - lambda |a_p - (a_p . v^)
 * v^|^2 with v^ = v / |v|. There is no whitened form.
 */
public final class OrthogonalPenalty extends DirectionObjective {
  private final double lambda;

  /** lambda is checked (>= 0, finite) by the factory. */
  OrthogonalPenalty(String layer, float[] vector, double lambda) {
    super(
        "orthogonalPenalty",
        layer,
        null,
        vector,
        VectorText.of(vector) + ", lambda=" + VectorText.number(lambda),
        VectorFunctions.orthogonalPenalty(vector, lambda));
    this.lambda = lambda;
  }

  /** The weight lambda of the orthogonal part's squared norm. */
  public double lambda() {
    return lambda;
  }
}
