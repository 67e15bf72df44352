package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * Expand of float data: x broadcast (numpy rules, both ways) with a constant shape (input 1,
 * int64), so y's shape is known at import. torch's Tensor.repeat exports one before its Tile.
 * Expand on constants alone is shape arithmetic and folds before it gets here.
 */
final class ExpandSpec implements OpSpec {
  static final ExpandSpec INSTANCE = new ExpandSpec();

  @Override
  public int[] constantInputs() {
    return new int[] {1};
  }

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    if (!ctx.hasInput(1)) throw ctx.error("it has no shape (input 1)");
    Tensor t = ctx.constant(1);
    long[] s = t.longs();
    int[] dims = new int[s.length];
    for (int k = 0; k < s.length; k++) {
      if (s[k] < 1 || s[k] > Integer.MAX_VALUE)
        throw ctx.error("shape " + java.util.Arrays.toString(s) + " has a dimension below 1");
      dims[k] = (int) s[k];
    }
    Shape out = Broadcast.multidirectional(x, Shape.of(dims));
    if (out == null)
      throw ctx.error("input " + x + " does not broadcast with shape " + Shape.of(dims));
    return List.of(out);
  }
}
