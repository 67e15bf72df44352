package org.featviz.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Shape;

/**
 * ReduceSum, ReduceMean and ReduceMax over any axes. The axes are the attribute {@code axes}
 * (before opset 18; ReduceSum before 13) or the constant input 1 (ReduceSum from opset 13, all of
 * them from 18); none given means every axis, unless {@code noop_with_empty_axes} = 1 (where the op
 * has it), which makes the op an identity. {@code keepdims} (default 1) keeps reduced axes as 1s.
 */
public final class ReduceSpec implements SecondInputConstantSpec {
  static final ReduceSpec INSTANCE = new ReduceSpec();

  /** The three reductions. */
  public enum Kind {
    SUM,
    MEAN,
    MAX
  }

  /** Which axes of x are reduced (none: the identity), and the output shape. */
  public record Reduction(Kind kind, boolean[] reduced, Shape output) {
    /** The number of elements each output element reduces. */
    public int group(Shape x) {
      int g = 1;
      for (int d = 0; d < reduced.length; d++) if (reduced[d]) g *= x.dim(d);
      return g;
    }
  }

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    return List.of(reduction(ctx).output());
  }

  public static Kind kind(String opType) {
    return switch (opType) {
      case "ReduceSum" -> Kind.SUM;
      case "ReduceMean" -> Kind.MEAN;
      case "ReduceMax" -> Kind.MAX;
      default -> throw new IllegalArgumentException("not a reduction: " + opType);
    };
  }

  private static boolean axesAsInput(OpContext ctx) {
    return ctx.opset() >= 18 || (ctx.opset() >= 13 && ctx.node().opType().equals("ReduceSum"));
  }

  public static Reduction reduction(OpContext ctx) {
    Shape x = ctx.in(0);
    var a = ctx.node().attributes();
    long[] axes;
    if (axesAsInput(ctx)) {
      axes = ctx.hasInput(1) ? ctx.constant(1).longs() : null;
    } else {
      if (ctx.hasInput(1))
        throw ctx.error("takes its axes as an attribute at opset " + ctx.opset());
      axes = a.getInts("axes", null);
    }
    boolean keep = a.getInt("keepdims", 1) != 0;
    boolean[] reduced = new boolean[x.rank()];
    if (axes == null || axes.length == 0) {
      if (a.getInt("noop_with_empty_axes", 0) != 0)
        return new Reduction(kind(ctx.node().opType()), reduced, x);
      Arrays.fill(reduced, true);
    } else {
      for (long axis : axes) {
        int d = Axes.normalize(ctx, axis, x);
        if (reduced[d]) throw ctx.error("axes " + Arrays.toString(axes) + " repeat axis " + d);
        reduced[d] = true;
      }
    }
    List<Integer> dims = new ArrayList<>();
    for (int d = 0; d < x.rank(); d++) {
      if (!reduced[d]) dims.add(x.dim(d));
      else if (keep) dims.add(1);
    }
    Shape out = Shape.of(dims.stream().mapToInt(Integer::intValue).toArray());
    return new Reduction(kind(ctx.node().opType()), reduced, out);
  }
}
