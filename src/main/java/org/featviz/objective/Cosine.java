package org.featviz.objective;

/**
 * The cosine similarity with a direction v, per position averaged ({@link Objectives#cosine},
 * {@link Objectives#whitenedCosine}): value (1/P) sum_p a_p . v / (|a_p| |v|) with guarded norms.
 */
public final class Cosine extends DirectionObjective {
  Cosine(String layer, Whitening whitening, float[] vector) {
    super(
        "cosine", layer, whitening, vector, VectorText.of(vector), VectorFunctions.cosine(vector));
  }
}
