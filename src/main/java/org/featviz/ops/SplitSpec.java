package org.featviz.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Shape;

/**
 * Split along {@code axis} (default 0) into the node's outputs: sizes from the attribute {@code
 * split} (before opset 13) or the constant input 1 (from 13); without them, opset 18's {@code
 * num_outputs} (ceil(dim / n) each, the last one smaller) or equal parts, one per output.
 */
public final class SplitSpec implements SecondInputConstantSpec {
  static final SplitSpec INSTANCE = new SplitSpec();

  /**
   * x seen as [outer, axisDim, inner]; output k holds axis positions offsets[k] + [0, sizes[k]).
   */
  public record Parts(int axis, int outer, int axisDim, int inner, int[] sizes, int[] offsets) {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Parts p = parts(ctx);
    Shape x = ctx.in(0);
    List<Shape> out = new ArrayList<>();
    for (int s : p.sizes()) out.add(x.withDim(p.axis(), s));
    return out;
  }

  public static Parts parts(OpContext ctx) {
    Shape x = ctx.in(0);
    var a = ctx.node().attributes();
    int axis = Axes.normalize(ctx, a.getInt("axis", 0), x);
    int dim = x.dim(axis);
    int outputs = ctx.node().outputs().size();
    long[] split =
        ctx.opset() >= 13
            ? (ctx.hasInput(1) ? ctx.constant(1).longs() : null)
            : a.getInts("split", null);
    int[] sizes = new int[outputs];
    if (split != null) {
      if (split.length != outputs)
        throw ctx.error(
            "split " + Arrays.toString(split) + " has not one size per output (" + outputs + ")");
      long total = 0;
      for (int k = 0; k < outputs; k++) {
        if (split[k] < 0)
          throw ctx.error("split " + Arrays.toString(split) + " has a negative size");
        sizes[k] = (int) split[k];
        total += split[k];
      }
      if (total != dim)
        throw ctx.error(
            "split " + Arrays.toString(split) + " does not add up to axis " + axis + " of " + x);
    } else if (ctx.opset() >= 18 && a.has("num_outputs")) {
      long n = a.getInt("num_outputs", 0);
      if (n != outputs)
        throw ctx.error("num_outputs " + n + " but the node has " + outputs + " outputs");
      int each = (dim + outputs - 1) / outputs;
      for (int k = 0; k < outputs; k++) sizes[k] = Math.max(0, Math.min(each, dim - k * each));
    } else {
      if (dim % outputs != 0)
        throw ctx.error(
            "axis " + axis + " of " + x + " does not split into " + outputs + " equal parts");
      Arrays.fill(sizes, dim / outputs);
    }
    int[] offsets = new int[outputs];
    for (int k = 1; k < outputs; k++) offsets[k] = offsets[k - 1] + sizes[k - 1];
    return new Parts(axis, x.size(0, axis), dim, x.size(axis + 1, x.rank()), sizes, offsets);
  }
}
