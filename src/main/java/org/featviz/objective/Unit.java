package org.featviz.objective;

/**
 * One unit of a layer: a conv layer's channel or a dense layer's feature. The objectives about a
 * unit (channel, neuron, iam) name theirs, so that a render target needs the layer and the unit
 * only once.
 */
public record Unit(String layer, int index) {
  public Unit {
    if (layer == null || layer.isEmpty())
      throw new IllegalArgumentException("a unit needs a layer");
    if (index < 0) throw new IllegalArgumentException("unit index must be >= 0, got " + index);
  }

  @Override
  public String toString() {
    return layer + ":" + index;
  }
}
