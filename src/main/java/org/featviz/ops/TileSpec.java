package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * Tile: x repeated {@code repeats[k]} times along each axis k, y.dim(k) = x.dim(k) repeats[k]. The
 * repeats (input 1, int64, one per axis of x) must be a constant, so the shape is known at import;
 * each must be at least 1.
 */
public final class TileSpec implements OpSpec {
  static final TileSpec INSTANCE = new TileSpec();

  @Override
  public int[] constantInputs() {
    return new int[] {1};
  }

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    int[] r = repeats(ctx);
    int[] dims = x.dims();
    for (int k = 0; k < dims.length; k++) dims[k] *= r[k];
    return List.of(Shape.of(dims));
  }

  /** The repeats per axis of x. */
  public static int[] repeats(OpContext ctx) {
    Shape x = ctx.in(0);
    if (!ctx.hasInput(1)) throw ctx.error("it has no repeats (input 1)");
    Tensor t = ctx.constant(1);
    long[] r = t.longs();
    if (t.shape().rank() != 1 || r.length != x.rank())
      throw ctx.error(
          "repeats has shape "
              + t.shape()
              + ", expected ["
              + x.rank()
              + "] (one per axis of "
              + x
              + ")");
    int[] out = new int[r.length];
    for (int k = 0; k < r.length; k++) {
      if (r[k] < 1 || r[k] * x.dim(k) > Integer.MAX_VALUE)
        throw new UnsupportedOpException(
            ctx.node(),
            ctx.opset(),
            "repeats " + r[k] + " along axis " + k + " (supported: 1 or more)");
      out[k] = (int) r[k];
    }
    return out;
  }
}
