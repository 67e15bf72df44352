package org.featviz.objective;

/**
 * {@link DotCossim} of the whitened activation vector z = W (a - mu), per position averaged
 * ({@link Objectives#whitenedDotCossim(String, Whitening, float[], double, double)}): (z . v) max(floor,
 * cossim(z, v))^n, v in z-space.
 */
public final class WhitenedDotCossim extends PerPositionObjective {
  private final Whitening whitening;
  private final float[] vector;
  private final double power;
  private final double floor;

  /** @param vector a checked direction with one value per unit of the whitening; power and floor checked */
  WhitenedDotCossim(String layer, Whitening whitening, float[] vector, double power, double floor) {
    super("whitenedDotCossim", layer, DotCossim.arguments(vector, power, floor),
        VectorFunctions.whitened(whitening, VectorFunctions.dotCossim(vector, power, floor)));
    this.whitening = whitening;
    this.vector = vector;
    this.power = power;
    this.floor = floor;
  }

  /** The whitening the objective measures in (the objective's own object). */
  public Whitening whitening() {
    return whitening;
  }

  /** v in z-space (a copy). */
  public float[] vector() {
    return vector.clone();
  }

  /** The exponent n of the cosine. */
  public double power() {
    return power;
  }

  /** The floor below which the cosine counts as the floor. */
  public double floor() {
    return floor;
  }
}
