package org.featviz.objective;

import org.featviz.ir.Shape;

/**
 * One batch element's part of a layer tensor: elements [offset, offset + shape.size()) of data,
 * laid out as the per-sample shape (channels first: [C, H, W] for conv layers, [F] for dense ones).
 * Objectives read activations through one and add gradients through another. Gradients are only
 * ever added through {@link #add} and {@link #addAt}, which multiply by {@code scale}: that is how
 * a scaled objective scales its gradient for free.
 */
public record LayerSlice(float[] data, int offset, Shape shape, double scale) {
  public LayerSlice(float[] data, int offset, Shape shape) {
    this(data, offset, shape, 1.0);
  }

  /** The same slice, with gradients added through it multiplied by {@code factor}. */
  public LayerSlice scaled(double factor) {
    return new LayerSlice(data, offset, shape, scale * factor);
  }

  public int size() {
    return shape.size();
  }

  /** Channels (conv) or features (dense): the units of the layer. */
  public int units() {
    return shape.rank() == 0 ? 1 : shape.dim(0);
  }

  /** Positions per unit: H * W for conv layers, 1 for dense ones. */
  public int positions() {
    return shape.rank() <= 1 ? 1 : shape.size(1, shape.rank());
  }

  public float get(int i) {
    return data[offset + i];
  }

  public void add(int i, double v) {
    data[offset + i] += (float) (scale * v);
  }

  /** Element (unit, position) where position indexes the flattened spatial dims. */
  public float at(int unit, int position) {
    return data[offset + unit * positions() + position];
  }

  public void addAt(int unit, int position, double v) {
    data[offset + unit * positions() + position] += (float) (scale * v);
  }

  /** The unit's mean over positions (a channel's spatial mean; a dense unit's value). */
  public double unitMean(int unit) {
    int p = positions();
    double s = 0;
    for (int j = 0; j < p; j++) s += at(unit, j);
    return s / p;
  }
}
