package org.featviz.objective;

import java.util.Optional;

/**
 * A per-position objective along a direction v (one value per unit): direction, cosine, dot x
 * cossim^n and the orthogonal penalty. It measures the activation vectors a_p themselves or, given
 * a whitening, the whitened vectors z_p = W (a_p - mu), v then living in z-space
 * (docs/objectives.md, "Whitened objectives"): "whitenedDirection" is the direction objective of z,
 * with the gradient W^T df/dz.
 */
abstract class DirectionObjective extends PerPositionObjective {
  private final Whitening whitening;
  private final float[] vector;

  /**
   * @param kind the unwhitened kind ("direction"); with a whitening describe() reads
   *     "whitenedDirection(...)"
   * @param whitening null for the activations themselves
   * @param vector a checked direction ({@link VectorMath#checkedDirection}), kept as it is
   * @param function f of the (whitened) vector
   */
  DirectionObjective(
      String kind,
      String layer,
      Whitening whitening,
      float[] vector,
      String arguments,
      VectorFunction function) {
    super(
        whitening == null
            ? kind
            : "whitened" + Character.toUpperCase(kind.charAt(0)) + kind.substring(1),
        layer,
        arguments,
        whitening == null ? function : VectorFunctions.whitened(whitening, function));
    this.whitening = whitening;
    this.vector = vector;
  }

  /** v, one value per unit of the layer (of the whitening, where there is one); a copy. */
  public float[] vector() {
    return vector.clone();
  }

  /** The whitening the objective measures in (the objective's own object), or empty. */
  public Optional<Whitening> whitening() {
    return Optional.ofNullable(whitening);
  }
}
