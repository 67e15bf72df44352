package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Attributes;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * Constant: a node whose output is the tensor in exactly one of its attributes: {@code value} (a
 * tensor), {@code value_float}, {@code value_floats} (1-D), {@code value_int} or {@code value_ints}
 * (1-D, int64). The constant-folding pass turns these nodes into initializers; {@link #value} keeps
 * int64 values as int64 for it.
 */
public final class ConstantSpec implements OpSpec {
  static final ConstantSpec INSTANCE = new ConstantSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    return List.of(value(ctx).shape());
  }

  /**
   * The constant's value as its attribute declares it (float32, or int64 for value_int(s) and int
   * tensors).
   */
  public static Tensor value(OpContext ctx) {
    Attributes a = ctx.node().attributes();
    String[] kinds = {
      "value",
      "value_float",
      "value_floats",
      "value_int",
      "value_ints",
      "value_string",
      "value_strings",
      "sparse_value"
    };
    String kind = null;
    for (String k : kinds) {
      if (!a.has(k)) continue;
      if (kind != null)
        throw ctx.error("has both '" + kind + "' and '" + k + "'; exactly one value is allowed");
      kind = k;
    }
    if (kind == null) {
      throw ctx.error(
          "has no value attribute featviz reads (value, value_float(s), value_int(s)); attributes: "
              + a);
    }
    switch (kind) {
      case "value":
        return a.getTensor("value");
      case "value_float":
        return Tensor.scalar(a.getFloat("value_float", 0f));
      case "value_floats":
        {
          float[] v = a.getFloats("value_floats", null);
          return Tensor.of(Shape.of(v.length), v);
        }
      case "value_int":
        return Tensor.ofLongs(Shape.scalar(), new long[] {a.getInt("value_int", 0)});
      case "value_ints":
        {
          long[] v = a.getInts("value_ints", null);
          return Tensor.ofLongs(Shape.of(v.length), v);
        }
      default:
        throw new UnsupportedOpException(
            ctx.node(), ctx.opset(), "Constant with attribute '" + kind + "'");
    }
  }
}
