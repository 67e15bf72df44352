package org.featviz.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Shape;

/**
 * Squeeze (drop the given axes of size 1, or every axis of size 1 where none is given) and
 * Unsqueeze (insert axes of size 1 at the given positions of the output). The axes are input 1, a
 * constant, from opset 13, the attribute {@code axes} before; negative axes count from the back (of
 * the output, for Unsqueeze). The element order does not change: both are reshapes.
 */
public final class SqueezeSpec implements SecondInputConstantSpec {
  static final SqueezeSpec INSTANCE = new SqueezeSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    long[] axes;
    if (ctx.opset() >= 13) axes = ctx.hasInput(1) ? ctx.constant(1).longs() : null;
    else axes = ctx.node().attributes().getInts("axes", null);
    boolean unsqueeze = ctx.node().opType().equals("Unsqueeze");
    return List.of(unsqueeze ? unsqueeze(ctx, x, axes) : squeeze(ctx, x, axes));
  }

  private static Shape squeeze(OpContext ctx, Shape x, long[] axes) {
    boolean[] drop = new boolean[x.rank()];
    if (axes == null) {
      for (int d = 0; d < x.rank(); d++) drop[d] = x.dim(d) == 1;
    } else {
      for (long axis : axes) {
        int d = Axes.normalize(ctx, axis, x);
        if (x.dim(d) != 1)
          throw ctx.error("cannot squeeze axis " + axis + " of " + x + ": its size is not 1");
        drop[d] = true;
      }
    }
    List<Integer> dims = new ArrayList<>();
    for (int d = 0; d < x.rank(); d++) if (!drop[d]) dims.add(x.dim(d));
    return Shape.of(dims.stream().mapToInt(Integer::intValue).toArray());
  }

  private static Shape unsqueeze(OpContext ctx, Shape x, long[] axes) {
    if (axes == null) throw ctx.error("has no axes");
    int rank = x.rank() + axes.length;
    boolean[] added = new boolean[rank];
    for (long axis : axes) {
      long d = axis < 0 ? axis + rank : axis;
      if (d < 0 || d >= rank || added[(int) d]) {
        throw ctx.error(
            "axes " + Arrays.toString(axes) + " are out of range or repeated for input shape " + x);
      }
      added[(int) d] = true;
    }
    int[] dims = new int[rank];
    for (int d = 0, k = 0; d < rank; d++) dims[d] = added[d] ? 1 : x.dim(k++);
    return Shape.of(dims);
  }
}
