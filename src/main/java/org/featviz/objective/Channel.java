package org.featviz.objective;

import java.util.Optional;
import org.featviz.ir.Shape;

/**
 * The spatial mean of one channel (a dense unit's value): value (1/P) sum_p a[u, p], gradient 1/P at every
 * position of unit u (P = H * W, 1 for dense layers). Made by {@link Objectives#channel}.
 */
public final class Channel extends LayerObjective {
  private final int unit;

  Channel(String layer, int unit) {
    super(layer);
    this.unit = unit;
  }

  @Override
  protected void check(Shape shape) {
    checkUnit(unit, shape);
  }

  @Override
  protected double evaluate(LayerSlice a, LayerSlice grad) {
    int positions = a.positions();
    for (int p = 0; p < positions; p++) grad.addAt(unit, p, 1.0 / positions);
    return a.unitMean(unit);
  }

  /** u: the unit whose spatial mean this is. */
  public int unitIndex() {
    return unit;
  }

  @Override
  public Optional<Unit> unit() {
    return Optional.of(new Unit(layer, unit));
  }

  @Override
  public String describe() {
    return "channel(" + layer + ", " + unit + ")";
  }
}
