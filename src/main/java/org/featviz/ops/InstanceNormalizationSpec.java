package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * InstanceNormalization: x (N x C x D1 x ... x Dk, k >= 1) normalized over its spatial dims per (n,
 * c), y = scale[c] (x - mean) / sqrt(var + epsilon) + B[c] (the biased variance), the shape of x.
 * scale and B (each [C]) are weights: constants in exported models, graph inputs in ONNX's cases;
 * they get no gradient.
 */
public final class InstanceNormalizationSpec implements OpSpec {
  static final InstanceNormalizationSpec INSTANCE = new InstanceNormalizationSpec();

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    if (x.rank() < 3) throw ctx.error("input " + x + " must be N x C x D1 x ... (rank 3 or more)");
    String[] names = {"scale", "B"};
    for (int i = 1; i <= 2; i++) {
      if (!ctx.hasInput(i)) throw ctx.error("it has no " + names[i - 1] + " (input " + i + ")");
      BatchNormalizationSpec.requirePerChannel(ctx, x, i, names[i - 1]);
    }
    return List.of(x);
  }

  public static float epsilon(OpContext ctx) {
    return ctx.node().attributes().getFloat("epsilon", 1e-5f);
  }
}
