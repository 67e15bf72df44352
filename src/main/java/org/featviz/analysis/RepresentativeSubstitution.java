package org.featviz.analysis;

/**
 * Representative Substitution (Chen et al., "Understanding the Importance of Single Directions via
 * Representative Substitution"): on the image made for unit i of a layer of U units, the share of
 * units that respond more than i does. RS(i) = |{j : a_j > a_i}| / U; 0 means no other unit
 * responds more to i's image, near 1 that most do. Ties (a_j == a_i, j != i) are counted apart,
 * since a layer of silent units would otherwise read as RS 0 everywhere. Conv channels enter as
 * their spatial means.
 *
 * @param above units j with a_j > a_i
 * @param ties units j != i with a_j == a_i
 * @param units U, the layer's units
 */
public record RepresentativeSubstitution(int above, int ties, int units) {
  public RepresentativeSubstitution {
    if (units < 1 || above < 0 || ties < 0 || above + ties > units - 1) {
      throw new IllegalArgumentException(
          "RS counts " + above + " above and " + ties + " tied of " + units + " units");
    }
  }

  /**
   * The counts for unit {@code unit} of one image's unit activations {@code activations} [U]. A NaN
   * activation makes the count meaningless: it is refused.
   */
  public static RepresentativeSubstitution of(float[] activations, int unit) {
    if (unit < 0 || unit >= activations.length) {
      throw new IllegalArgumentException(
          "unit " + unit + " of a layer of " + activations.length + " units");
    }
    float own = activations[unit];
    int above = 0;
    int ties = 0;
    for (int j = 0; j < activations.length; j++) {
      float a = activations[j];
      if (Float.isNaN(a)) throw new IllegalArgumentException("activation of unit " + j + " is NaN");
      if (j == unit) continue;
      if (a > own) above++;
      else if (a == own) ties++;
    }
    return new RepresentativeSubstitution(above, ties, activations.length);
  }

  /** RS = above / units, in [0, (U - 1) / U]. */
  public double value() {
    return (double) above / units;
  }
}
