package org.featviz.objective;

import java.util.Optional;
import org.featviz.ir.Shape;

/**
 * An objective about one unit u of its layer (channel, neuron, iam): checks u against the layer and
 * reports it.
 */
abstract class SingleUnitObjective extends LayerObjective {
  protected final int unit;

  SingleUnitObjective(String layer, int unit) {
    super(layer);
    this.unit = unit;
  }

  /** u: the unit's index in the layer (a channel, or a dense layer's feature). */
  public int unitIndex() {
    return unit;
  }

  @Override
  public Optional<Unit> unit() {
    return Optional.of(new Unit(layer, unit));
  }

  @Override
  protected void check(Shape shape) {
    checkUnit(unit, shape);
  }
}
