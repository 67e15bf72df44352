package org.featviz.render.gpu;

import org.featviz.ir.Shape;

/**
 * The geometry of an objective's target layer as the objective kernels see it: B samples, C units,
 * P positions per unit, activations [B, C, P]. A conv layer [B, C, H, W] has P = H * W; a dense
 * layer [B, F] has C = F and P = 1, the same reading as {@link org.featviz.objective.LayerSlice}.
 */
public record TargetLayer(int batch, int units, int positions) {
  public TargetLayer {
    Launches.requireNonNegative(batch, "batch");
    if (units < 1 || positions < 1) {
      throw new IllegalArgumentException(
          "a target layer needs units and positions >= 1, got " + units + " and " + positions);
    }
    if ((long) units * positions > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "a sample of " + units + " x " + positions + " values is too large");
    }
  }

  /** From a batch layer shape [B, C, H, W], [B, C, ...] or [B, F] (a [B] tensor is one unit). */
  public static TargetLayer of(Shape layerShape) {
    if (layerShape.rank() < 1)
      throw new IllegalArgumentException("a target layer needs a batch axis: " + layerShape);
    int units = layerShape.rank() == 1 ? 1 : layerShape.dim(1);
    int positions = layerShape.rank() <= 2 ? 1 : layerShape.size(2, layerShape.rank());
    return new TargetLayer(layerShape.dim(0), units, positions);
  }

  /** C * P: values per sample. */
  public int sampleSize() {
    return units * positions;
  }

  /** B * C * P. */
  public long size() {
    return (long) batch * sampleSize();
  }
}
