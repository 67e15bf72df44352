package org.featviz.analysis;

/**
 * Class selectivity (Morcos et al. 2018, "On the importance of single directions for
 * generalization"): (mu_max - mu_rest) / (mu_max + mu_rest), with mu_max the largest per-class mean
 * activation of a unit over a labelled dataset and mu_rest the mean of the other classes' means. 0:
 * the unit responds to every class alike; 1: it responds to one class only. Defined for
 * non-negative activations (post-ReLU layers); for a layer that has negative values the caller
 * chooses a {@link Negatives} policy.
 */
public final class ClassSelectivity {
  private ClassSelectivity() {}

  /** What to do with negative activations, where the index is not defined as it stands. */
  public enum Negatives {
    /** Refuse: an {@link IllegalArgumentException} names the class whose mean is negative. */
    REFUSE,
    /** Clamp the class means at 0, as if a ReLU followed the unit. */
    CLAMP
  }

  /**
   * The index from per-class means (at least two classes). A unit silent on every class (all means
   * 0) has no preferred class: 0 is returned, not NaN.
   */
  public static double of(double[] classMeans, Negatives negatives) {
    if (classMeans.length < 2)
      throw new IllegalArgumentException("selectivity needs at least two classes");
    double[] mu = classMeans.clone();
    for (int c = 0; c < mu.length; c++) {
      if (Double.isNaN(mu[c]))
        throw new IllegalArgumentException("class " + c + " has a NaN mean activation");
      if (mu[c] < 0) {
        if (negatives == Negatives.REFUSE) {
          throw new IllegalArgumentException(
              "class "
                  + c
                  + " has a negative mean activation ("
                  + mu[c]
                  + "): selectivity is defined for non-negative activations");
        }
        mu[c] = 0;
      }
    }
    int best = 0;
    for (int c = 1; c < mu.length; c++) if (mu[c] > mu[best]) best = c;
    double rest = 0;
    for (int c = 0; c < mu.length; c++) if (c != best) rest += mu[c];
    rest /= mu.length - 1;
    double sum = mu[best] + rest;
    return sum == 0 ? 0 : (mu[best] - rest) / sum;
  }
}
