package org.featviz.objective;

/**
 * Component u of the whitened activation vector z = W (a - mu), per position averaged ({@link
 * Objectives#whitenedChannel}): a channel measured in whitened space. Gradient W^T e_u / P at every
 * position.
 */
public final class WhitenedChannel extends PerPositionObjective {
  private final Whitening whitening;
  private final int unit;

  /**
   * @param unit a unit of the whitening, checked by the factory
   */
  WhitenedChannel(String layer, Whitening whitening, int unit) {
    super(
        "whitenedChannel",
        layer,
        String.valueOf(unit),
        "the whitening",
        VectorFunctions.whitened(whitening, VectorFunctions.component(whitening.units(), unit)));
    this.whitening = whitening;
    this.unit = unit;
  }

  /** The whitening the objective measures in (the objective's own object). */
  public Whitening whitening() {
    return whitening;
  }

  /** u: the component of z, 0 .. units - 1 of the whitening. */
  public int unitIndex() {
    return unit;
  }
}
