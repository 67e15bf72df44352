package org.featviz.render;

import java.util.Map;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.objective.LayerSlice;
import org.featviz.objective.SampleView;

/**
 * Batch element b's view onto batch tensors [B, ...] of activations and of gradients, per layer.
 * Public for the device renderer, which evaluates the objectives that have no fused kernel on the
 * host the same way.
 */
public final class BatchSampleView implements SampleView {
  private final Map<String, Tensor> activations;
  private final Map<String, Tensor> gradients;
  private final int b;

  public BatchSampleView(Map<String, Tensor> activations, Map<String, Tensor> gradients, int b) {
    this.activations = activations;
    this.gradients = gradients;
    this.b = b;
  }

  @Override
  public LayerSlice activation(String layer) {
    return slice(activations, layer);
  }

  @Override
  public LayerSlice gradient(String layer) {
    return slice(gradients, layer);
  }

  private LayerSlice slice(Map<String, Tensor> tensors, String layer) {
    Tensor t = tensors.get(layer);
    if (t == null)
      throw new ModelException(
          "objective reads layer '" + layer + "', which this render did not compute");
    Shape s = t.shape();
    Shape sample = sampleShape(s);
    return new LayerSlice(t.data(), b * sample.size(), sample);
  }

  /** A batch shape [B, ...] without its batch axis. */
  public static Shape sampleShape(Shape batchShape) {
    int[] d = batchShape.dims();
    return Shape.of(java.util.Arrays.copyOfRange(d, 1, d.length));
  }
}
