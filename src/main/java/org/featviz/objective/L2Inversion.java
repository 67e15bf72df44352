package org.featviz.objective;

import org.featviz.ir.Shape;

/**
 * Feature inversion: minus the squared L2 distance between the whole per-sample activation slice a
 * and a target t of the same size (flattened in the slice's layout): value -sum_i (a_i - t_i)^2,
 * gradient -2 (a - t). Maximizing it makes an image whose activations reproduce t. Made by {@link
 * Objectives#l2Inversion}.
 */
public final class L2Inversion extends LayerObjective {
  private final float[] target;

  L2Inversion(String layer, float[] target) {
    super(layer);
    this.target = target.clone();
  }

  @Override
  protected void check(Shape shape) {
    if (target.length != shape.size()) {
      throw error(
          "the target has "
              + target.length
              + " values but the layer has "
              + shape.size()
              + " per sample",
          shape);
    }
  }

  @Override
  protected double evaluate(LayerSlice a, LayerSlice grad) {
    double sum = 0;
    for (int i = 0; i < target.length; i++) {
      double diff = (double) a.get(i) - target[i];
      sum += diff * diff;
      grad.add(i, -2 * diff);
    }
    return -sum;
  }

  /** t, in the per-sample slice's layout (a copy). */
  public float[] target() {
    return target.clone();
  }

  @Override
  public String describe() {
    return "l2Inversion(" + layer + ", " + VectorText.of(target) + ")";
  }
}
