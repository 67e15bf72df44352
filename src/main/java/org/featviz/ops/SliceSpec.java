package org.featviz.ops;

import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Shape;

/**
 * Slice with constant starts, ends, axes and steps (inputs 1 to 4 from opset 10, the attributes
 * starts, ends and axes before): per axis, ONNX's clamping of negative and out-of-range indices,
 * positive or negative steps. Axes not named are kept whole.
 */
public final class SliceSpec implements OpSpec {
  static final SliceSpec INSTANCE = new SliceSpec();

  /** The first index read, the step and the output size of each axis of x. */
  public record Ranges(int[] begin, int[] step, int[] dims) {}

  @Override
  public int[] constantInputs() {
    return new int[] {1, 2, 3, 4};
  }

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    return List.of(Shape.of(ranges(ctx).dims()));
  }

  public static Ranges ranges(OpContext ctx) {
    Shape x = ctx.in(0);
    long[] starts;
    long[] ends;
    long[] axes;
    long[] steps = null;
    var a = ctx.node().attributes();
    if (ctx.opset() < 10) {
      starts = a.getInts("starts", null);
      ends = a.getInts("ends", null);
      axes = a.getInts("axes", null);
      if (starts == null || ends == null) throw ctx.error("needs the attributes starts and ends");
    } else {
      starts = ctx.constant(1).longs();
      ends = ctx.constant(2).longs();
      axes = ctx.hasInput(3) ? ctx.constant(3).longs() : null;
      steps = ctx.hasInput(4) ? ctx.constant(4).longs() : null;
    }
    int n = starts.length;
    if (ends.length != n
        || (axes != null && axes.length != n)
        || (steps != null && steps.length != n))
      throw ctx.error(
          "starts "
              + Arrays.toString(starts)
              + ", ends "
              + Arrays.toString(ends)
              + (axes != null ? ", axes " + Arrays.toString(axes) : "")
              + (steps != null ? ", steps " + Arrays.toString(steps) : "")
              + " differ in length");
    int[] begin = new int[x.rank()];
    int[] step = new int[x.rank()];
    int[] dims = x.dims().clone();
    Arrays.fill(step, 1);
    boolean[] seen = new boolean[x.rank()];
    for (int k = 0; k < n; k++) {
      int ax = Axes.normalize(ctx, axes == null ? k : axes[k], x);
      if (seen[ax]) throw ctx.error("axis " + ax + " is sliced twice");
      seen[ax] = true;
      long st = steps == null ? 1 : steps[k];
      if (st == 0) throw ctx.error("step 0 on axis " + ax);
      if (Math.abs(st) > Integer.MAX_VALUE) st = st > 0 ? Integer.MAX_VALUE : -Integer.MAX_VALUE;
      long dim = x.dim(ax);
      long s = starts[k] < 0 ? starts[k] + dim : starts[k];
      long e = ends[k] < 0 ? ends[k] + dim : ends[k];
      long count;
      if (st > 0) {
        s = Math.max(0, Math.min(dim, s));
        e = Math.max(0, Math.min(dim, e));
        count = Math.max(0, (e - s + st - 1) / st);
      } else {
        s = Math.max(-1, Math.min(dim - 1, s));
        e = Math.max(-1, Math.min(dim - 1, e));
        count = Math.max(0, (s - e - st - 1) / -st);
      }
      begin[ax] = count == 0 ? 0 : (int) s;
      step[ax] = (int) st;
      dims[ax] = (int) count;
    }
    return new Ranges(begin, step, dims);
  }
}
