package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * Gather along {@code axis} (default 0) with constant indices (input 1, any rank; negative indices
 * count from the back): y = x[:, ..., indices, ...], of shape x.shape[:axis] + indices.shape +
 * x.shape[axis+1:], so a scalar index drops the axis. Float data; int64 Gathers on shapes are
 * folded at import (passes.FoldShapes).
 */
public final class GatherSpec implements SecondInputConstantSpec {
  static final GatherSpec INSTANCE = new GatherSpec();

  /**
   * x seen as [outer, axisDim, inner], the output as [outer, indices.length, inner]; indices
   * already made non-negative.
   */
  public record Layout(int outer, int axisDim, int inner, int[] indices) {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    int axis = axis(ctx);
    layout(ctx);
    Shape idx = ctx.constant(1).shape();
    int[] dims = new int[x.rank() - 1 + idx.rank()];
    int k = 0;
    for (int d = 0; d < axis; d++) dims[k++] = x.dim(d);
    for (int d = 0; d < idx.rank(); d++) dims[k++] = idx.dim(d);
    for (int d = axis + 1; d < x.rank(); d++) dims[k++] = x.dim(d);
    return List.of(Shape.of(dims));
  }

  private static int axis(OpContext ctx) {
    Shape x = ctx.in(0);
    if (x.rank() == 0) throw ctx.error("cannot gather from a scalar");
    return Axes.normalize(ctx, ctx.node().attributes().getInt("axis", 0), x);
  }

  public static Layout layout(OpContext ctx) {
    Shape x = ctx.in(0);
    int axis = axis(ctx);
    long[] raw = ctx.constant(1).longs();
    int dim = x.dim(axis);
    int[] idx = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      long v = raw[i] < 0 ? raw[i] + dim : raw[i];
      if (v < 0 || v >= dim)
        throw ctx.error(
            "index "
                + raw[i]
                + " is out of range for axis "
                + axis
                + " of size "
                + dim
                + " of "
                + x);
      idx[i] = (int) v;
    }
    return new Layout(x.size(0, axis), dim, x.size(axis + 1, x.rank()), idx);
  }
}
