package org.featviz.objective;

/**
 * The spatial mean of one channel (a dense unit's value): value (1/P) sum_p a[u, p], gradient 1/P
 * at every position of unit u (P = H * W, 1 for dense layers). Made by {@link Objectives#channel}.
 */
public final class Channel extends SingleUnitObjective {
  Channel(String layer, int unit) {
    super(layer, unit);
  }

  @Override
  protected double evaluate(LayerSlice a, LayerSlice grad) {
    int positions = a.positions();
    for (int p = 0; p < positions; p++) grad.addAt(unit, p, 1.0 / positions);
    return a.unitMean(unit);
  }

  @Override
  public String describe() {
    return "channel(" + layer + ", " + unit + ")";
  }
}
