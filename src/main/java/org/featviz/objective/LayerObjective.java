package org.featviz.objective;

import java.util.Map;
import java.util.Set;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * Base of the objectives that read one layer. It checks the objective's arguments against the
 * layer's per-sample shape ([C, H, W] or [F]) both in {@link #validate} and at every evaluate (a
 * few comparisons), so a bad unit or vector length fails with the layer, the argument and the shape
 * in the message instead of an index error.
 */
abstract class LayerObjective implements Objective {
  protected final String layer;

  LayerObjective(String layer) {
    if (layer == null || layer.isBlank())
      throw new ModelException("objective needs a layer name, got '" + layer + "'");
    this.layer = layer;
  }

  /** The layer (value name) this objective reads. */
  public String layer() {
    return layer;
  }

  @Override
  public Set<String> layers() {
    return Set.of(layer);
  }

  @Override
  public void validate(Map<String, Shape> sampleShapes) {
    Shape shape = sampleShapes.get(layer);
    if (shape == null) {
      throw new ModelException(
          describe() + ": no layer '" + layer + "' among the layers " + sampleShapes.keySet());
    }
    check(shape);
  }

  @Override
  public final double evaluate(SampleView view) {
    LayerSlice a = view.activation(layer);
    check(a.shape());
    return evaluate(a, view.gradient(layer));
  }

  /** Throws a ModelException where the objective's arguments do not fit the per-sample shape. */
  protected abstract void check(Shape sampleShape);

  /**
   * The value for activations {@code a}; adds d value / d a into {@code grad} (same layout as a).
   */
  protected abstract double evaluate(LayerSlice a, LayerSlice grad);

  /** "describe(): what, for layer 'L' with per-sample shape [C, H, W]". */
  protected ModelException error(String what, Shape shape) {
    return new ModelException(
        describe() + ": " + what + " for layer '" + layer + "' with per-sample shape " + shape);
  }

  protected void checkUnit(int unit, Shape shape) {
    int units = units(shape);
    if (unit < 0 || unit >= units) {
      throw error("unit " + unit + " is out of range 0.." + (units - 1), shape);
    }
  }

  /** Checks that a vector over the units (a direction, a whitening) has one value per unit. */
  protected void checkUnits(String what, int length, Shape shape) {
    int units = units(shape);
    if (length != units) {
      throw error(what + " has " + length + " values but the layer has " + units + " units", shape);
    }
  }

  /** Channels (conv) or features (dense), the same as {@link LayerSlice#units()}. */
  static int units(Shape shape) {
    return shape.rank() == 0 ? 1 : shape.dim(0);
  }

  /**
   * Positions per unit: H * W for conv layers, 1 for dense ones, as {@link LayerSlice#positions()}.
   */
  static int positions(Shape shape) {
    return shape.rank() <= 1 ? 1 : shape.size(1, shape.rank());
  }

  @Override
  public String toString() {
    return describe();
  }
}
