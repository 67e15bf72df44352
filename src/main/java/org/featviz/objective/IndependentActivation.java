package org.featviz.objective;

import org.featviz.ir.Shape;

/**
 * Independent Activation Maximization (IAM): x_i minus the mean of the other units of the layer,
 * where x_j is unit j's spatial mean (its value for dense layers). With U units and P positions the
 * gradient is 1/P at every position of unit i and -1/((U - 1) P) at every position of every other
 * unit. Needs at least two units. Made by {@link Objectives#iam}.
 */
public final class IndependentActivation extends SingleUnitObjective {
  IndependentActivation(String layer, int unit) {
    super(layer, unit);
  }

  @Override
  protected void check(Shape shape) {
    super.check(shape);
    if (units(shape) < 2) throw error("iam needs at least two units to compare with", shape);
  }

  @Override
  protected double evaluate(LayerSlice a, LayerSlice grad) {
    int units = a.units();
    int positions = a.positions();
    double others = 0;
    for (int j = 0; j < units; j++) {
      if (j != unit) others += a.unitMean(j);
    }
    double otherWeight = -1.0 / ((units - 1.0) * positions);
    for (int j = 0; j < units; j++) {
      double w = j == unit ? 1.0 / positions : otherWeight;
      for (int p = 0; p < positions; p++) grad.addAt(j, p, w);
    }
    return a.unitMean(unit) - others / (units - 1);
  }

  @Override
  public String describe() {
    return "iam(" + layer + ", " + unit + ")";
  }
}
