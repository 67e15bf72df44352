package org.featviz.objective;

import org.featviz.ir.Shape;

/**
 * One activation: unit u of a dense layer, or unit u at one spatial position of a conv layer (x =
 * column, y = row of [C, H, W]; of a [C, L] layer, a transformer's [features, tokens] included, x =
 * the position along L and y = 0; without a position, the center: index dim / 2 on every spatial
 * axis, as Lucid does). Value a[u, y, x]; gradient 1 there, 0 elsewhere. Made by {@link
 * Objectives#neuron(String, int)} and {@link Objectives#neuron(String, int, int, int)}.
 */
public final class Neuron extends SingleUnitObjective {
  private final Integer x;
  private final Integer y;

  Neuron(String layer, int unit, Integer x, Integer y) {
    super(layer, unit);
    this.x = x;
    this.y = y;
  }

  @Override
  protected void check(Shape shape) {
    super.check(shape);
    if (x == null) return;
    if (shape.rank() == 2) {
      // [C, L]: a 1-D layer, or a transformer's tokens seen as [features, tokens] (x = token).
      if (y != 0 || x < 0 || x >= shape.dim(1)) {
        throw error(
            "position x=" + x + ", y=" + y + " is outside 0.." + (shape.dim(1) - 1) + " x 0..0",
            shape);
      }
      return;
    }
    if (shape.rank() != 3) {
      throw error("a position (x=" + x + ", y=" + y + ") needs a [C, H, W] layer", shape);
    }
    if (x < 0 || x >= shape.dim(2) || y < 0 || y >= shape.dim(1)) {
      throw error(
          "position x="
              + x
              + ", y="
              + y
              + " is outside 0.."
              + (shape.dim(2) - 1)
              + " x 0.."
              + (shape.dim(1) - 1),
          shape);
    }
  }

  /** Flattened spatial index of the target position. */
  private int position(Shape shape) {
    if (x != null) return shape.rank() == 2 ? x : y * shape.dim(2) + x;
    int index = 0;
    for (int axis = 1; axis < shape.rank(); axis++)
      index = index * shape.dim(axis) + shape.dim(axis) / 2;
    return index;
  }

  @Override
  protected double evaluate(LayerSlice a, LayerSlice grad) {
    int p = position(a.shape());
    grad.addAt(unit, p, 1);
    return a.at(unit, p);
  }

  /** The column x, or null for the center position. */
  public Integer x() {
    return x;
  }

  /** The row y, or null for the center position. */
  public Integer y() {
    return y;
  }

  @Override
  public String describe() {
    return "neuron(" + layer + ", " + unit + (x == null ? "" : ", x=" + x + ", y=" + y) + ")";
  }
}
