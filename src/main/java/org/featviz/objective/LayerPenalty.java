package org.featviz.objective;

import org.featviz.ir.Shape;

/**
 * A penalty on a layer's activations (typically the layer before the target), as a mean over its M
 * per-sample elements: L1 gives -weight (1/M) sum |a_i| with gradient -weight sign(a_i) / M (0 at
 * a_i = 0); L2 gives -weight (1/M) sum a_i^2 with gradient -2 weight a_i / M. Made by {@link
 * Objectives#layerPenalty}.
 */
public final class LayerPenalty extends LayerObjective {
  private final PenaltyNorm norm;
  private final double weight;

  LayerPenalty(String layer, PenaltyNorm norm, double weight) {
    super(layer);
    this.norm = norm;
    this.weight = weight;
  }

  @Override
  protected void check(Shape shape) {
    if (shape.size() == 0) throw error("the layer is empty", shape);
  }

  @Override
  protected double evaluate(LayerSlice a, LayerSlice grad) {
    int m = a.size();
    double sum = 0;
    for (int i = 0; i < m; i++) {
      double x = a.get(i);
      if (norm == PenaltyNorm.L1) {
        sum += Math.abs(x);
        grad.add(i, -weight * Math.signum(x) / m);
      } else {
        sum += x * x;
        grad.add(i, -2 * weight * x / m);
      }
    }
    return -weight * sum / m;
  }

  /** L1 or L2. */
  public PenaltyNorm norm() {
    return norm;
  }

  /** The penalty's strength: the value is -weight times the mean. */
  public double weight() {
    return weight;
  }

  @Override
  public String describe() {
    return "layerPenalty(" + layer + ", " + norm + ", " + VectorText.number(weight) + ")";
  }
}
