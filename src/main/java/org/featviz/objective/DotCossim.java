package org.featviz.objective;

/**
 * Lucid's dot x cossim^n with a floor, per position averaged ({@link Objectives#dotCossim(String, float[], double,
 * double)}): value (1/P) sum_p (a_p . v) max(floor, cossim(a_p, v))^n; where the floor is active no gradient flows
 * through the cosine (docs/objectives.md).
 */
public final class DotCossim extends PerPositionObjective {
  private final float[] vector;
  private final double power;
  private final double floor;

  /** @param vector a checked direction; power and floor checked (>= 0, finite) by the factory */
  DotCossim(String layer, float[] vector, double power, double floor) {
    super("dotCossim", layer, arguments(vector, power, floor), VectorFunctions.dotCossim(vector, power, floor));
    this.vector = vector;
    this.power = power;
    this.floor = floor;
  }

  /** describe()'s arguments of dot x cossim^n, whitened or not: "v, n=..., floor=...". */
  static String arguments(float[] vector, double power, double floor) {
    return VectorText.of(vector) + ", n=" + VectorText.number(power) + ", floor=" + VectorText.number(floor);
  }

  /** v, one value per unit of the layer (a copy). */
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
