package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * Clip: y = min(max(x, min), max), so max wins where min > max. Before opset 11 the bounds are the
 * attributes min and max; from opset 11 they are the optional scalar inputs 1 and 2 (an empty name
 * omits one). Omitted bounds default to the lowest and highest float.
 */
public final class ClipSpec implements OpSpec {
  static final ClipSpec INSTANCE = new ClipSpec();

  /** The clipping interval. */
  public record Bounds(float min, float max) {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    if (ctx.opset() >= 11) {
      for (int i = 1; i <= 2; i++) {
        if (ctx.hasInput(i) && ctx.in(i).size() != 1) {
          throw ctx.error((i == 1 ? "min" : "max") + " must be a scalar, got shape " + ctx.in(i));
        }
      }
    }
    return List.of(ctx.in(0));
  }

  /** The bounds, from attributes (opset 10 and older) or from the values of inputs 1 and 2. */
  public static Bounds bounds(OpContext ctx) {
    if (ctx.opset() < 11) {
      var attrs = ctx.node().attributes();
      return new Bounds(
          attrs.getFloat("min", -Float.MAX_VALUE), attrs.getFloat("max", Float.MAX_VALUE));
    }
    float min = ctx.hasInput(1) ? scalar(ctx, 1) : -Float.MAX_VALUE;
    float max = ctx.hasInput(2) ? scalar(ctx, 2) : Float.MAX_VALUE;
    return new Bounds(min, max);
  }

  private static float scalar(OpContext ctx, int i) {
    float[] v = ctx.constant(i).data();
    if (v.length != 1) throw ctx.error("input " + i + " must be a scalar, got shape " + ctx.in(i));
    return v[0];
  }
}
