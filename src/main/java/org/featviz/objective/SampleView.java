package org.featviz.objective;

/**
 * What an objective sees of one batch element: per layer, its activations and the gradient to add
 * into.
 */
public interface SampleView {
  /** The element's activations at a layer (value name). */
  LayerSlice activation(String layer);

  /** Where d objective / d activation is added for that layer. */
  LayerSlice gradient(String layer);
}
