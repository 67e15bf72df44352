package org.featviz.objective;

/**
 * Lucid's dot x cossim^n with a floor, per position averaged ({@link Objectives#dotCossim(String,
 * float[], double, double)}, {@link Objectives#whitenedDotCossim(String, Whitening, float[],
 * double, double)}): value (1/P) sum_p (a_p . v) max(floor, cossim(a_p, v))^n; where the floor is
 * active no gradient flows through the cosine (docs/objectives.md).
 */
public final class DotCossim extends DirectionObjective {
  private final double power;
  private final double floor;

  /** power and floor are checked (>= 0, finite) by the factories. */
  DotCossim(String layer, Whitening whitening, float[] vector, double power, double floor) {
    super(
        "dotCossim",
        layer,
        whitening,
        vector,
        VectorText.of(vector)
            + ", n="
            + VectorText.number(power)
            + ", floor="
            + VectorText.number(floor),
        VectorFunctions.dotCossim(vector, power, floor));
    this.power = power;
    this.floor = floor;
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
