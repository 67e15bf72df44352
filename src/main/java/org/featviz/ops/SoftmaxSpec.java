package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * Softmax and LogSoftmax, which group their input alike. From opset 13 it normalizes along {@code
 * axis} (default -1). Before opset 13 the input is coerced to 2-D at {@code axis} (default 1), [a0
 * * ... * a(k-1), ak * ... * a(n-1)], and each row of that matrix is normalized, i.e. softmax over
 * the whole flattened tail.
 */
public final class SoftmaxSpec implements OpSpec {
  static final SoftmaxSpec INSTANCE = new SoftmaxSpec();

  /**
   * How the row-major input splits into softmax groups: {@code outer * inner} groups of {@code
   * length} elements, the elements of one group {@code inner} apart. Group (o, i) starts at o *
   * length * inner + i.
   */
  public record Layout(int outer, int length, int inner) {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    layout(ctx);
    return List.of(ctx.in(0));
  }

  public static Layout layout(OpContext ctx) {
    Shape x = ctx.in(0);
    if (ctx.opset() >= 13) {
      int a = Axes.normalize(ctx, ctx.node().attributes().getInt("axis", -1), x);
      return new Layout(x.size(0, a), x.dim(a), x.size(a + 1, x.rank()));
    }
    int a = Axes.normalize(ctx, ctx.node().attributes().getInt("axis", 1), x);
    return new Layout(x.size(0, a), x.size(a, x.rank()), 1);
  }
}
