package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * The {@link UnaryFunction} ops: the output has the input's shape. Pow is one of them only with a
 * constant one-element exponent (input 1, an initializer) of no higher rank than x; any other Pow
 * is refused naming the node.
 */
public final class UnarySpec implements OpSpec {
  static final UnarySpec INSTANCE = new UnarySpec();

  /** ONNX Selu's defaults, as the spec writes them. */
  static final float SELU_ALPHA = 1.67326319217681884765625f;

  static final float SELU_GAMMA = 1.05070102214813232421875f;

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    if (UnaryFunction.of(ctx.node().opType()) == UnaryFunction.POW) exponent(ctx);
    return List.of(ctx.in(0));
  }

  /** The function of the node's op. */
  public static UnaryFunction function(OpContext ctx) {
    UnaryFunction f = UnaryFunction.of(ctx.node().opType());
    if (f == null) throw ctx.error("not an elementwise function of one input");
    return f;
  }

  /**
   * The parameters p and q of the node's function, from its attributes (ONNX's defaults) or, for
   * Pow, its constant exponent.
   */
  public static float[] parameters(OpContext ctx) {
    var a = ctx.node().attributes();
    return switch (function(ctx)) {
      case HARD_SIGMOID -> new float[] {a.getFloat("alpha", 0.2f), a.getFloat("beta", 0.5f)};
      case ELU -> new float[] {a.getFloat("alpha", 1f), 0};
      case SELU -> new float[] {a.getFloat("alpha", SELU_ALPHA), a.getFloat("gamma", SELU_GAMMA)};
      case POW -> new float[] {exponent(ctx), 0};
      default -> new float[] {0, 0};
    };
  }

  /** Pow's exponent, which must be a float constant holding one value. */
  private static float exponent(OpContext ctx) {
    Tensor t = ctx.constants().size() > 1 ? ctx.constants().get(1) : null;
    String why = null;
    if (!ctx.hasInput(1)) why = "it has no exponent (input 1)";
    else if (t == null) why = "its exponent ('" + ctx.node().input(1) + "') is not a constant";
    else if (t.size() != 1 || t.shape().rank() > ctx.in(0).rank())
      why = "its exponent has shape " + t.shape() + ", not one value";
    else if (t.dtype() != org.featviz.ir.DType.FLOAT) why = "its exponent is not float data";
    if (why != null)
      throw new UnsupportedOpException(
          ctx.node(), ctx.opset(), "Pow is supported with a constant one-element exponent; " + why);
    return t.data()[0];
  }
}
