package org.featviz.analyze;

import org.featviz.ir.ModelException;

/**
 * Class selectivity asked of a unit with a negative class mean under {@link
 * org.featviz.analysis.ClassSelectivity.Negatives#REFUSE}: raised by the dataset passes, before
 * anything renders.
 */
public final class NegativeActivationsException extends ModelException {
  private final String layer;
  private final int unit;
  private final String reason;

  NegativeActivationsException(String layer, int unit, String reason) {
    super(
        "layer '"
            + layer
            + "' unit "
            + unit
            + ": "
            + reason
            + " (Negatives.CLAMP takes them as 0; or analyze the layer after its ReLU)");
    this.layer = layer;
    this.unit = unit;
    this.reason = reason;
  }

  public String layer() {
    return layer;
  }

  public int unit() {
    return unit;
  }

  /** What is negative, without the remedy: "class 3 has a negative mean activation (...)...". */
  public String reason() {
    return reason;
  }
}
