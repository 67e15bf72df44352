package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Attributes;
import org.featviz.ir.Shape;

/**
 * BatchNormalization in inference mode: X (N x C x D1 x ... x Dk) with per-channel scale, B, mean
 * and var (each C) gives Y = scale * (X - mean) / sqrt(var + epsilon) + B, the shape of X. Training
 * mode (training_mode = 1, or the running-statistics outputs) and the per-element statistics of old
 * opsets (spatial = 0) are not supported.
 */
public final class BatchNormalizationSpec implements OpSpec {
  static final BatchNormalizationSpec INSTANCE = new BatchNormalizationSpec();

  private BatchNormalizationSpec() {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    Attributes a = ctx.node().attributes();
    if (a.getInt("training_mode", 0) != 0) {
      throw new UnsupportedOpException(
          ctx.node(), ctx.opset(), "training_mode = 1 (featviz runs inference only)");
    }
    long wanted = ctx.node().outputs().stream().filter(o -> !o.isEmpty()).count();
    if (wanted > 1 || (ctx.node().outputs().size() > 0 && ctx.node().outputs().get(0).isEmpty())) {
      throw new UnsupportedOpException(
          ctx.node(),
          ctx.opset(),
          "outputs other than Y (running or saved statistics exist only in training mode)");
    }
    if (a.getInt("spatial", 1) == 0) {
      throw new UnsupportedOpException(
          ctx.node(), ctx.opset(), "spatial = 0 (per-element statistics)");
    }
    if (x.rank() < 2) throw ctx.error("input " + x + " must be N x C x ... (rank 2 or more)");
    String[] names = {"scale", "B", "mean", "var"};
    for (int i = 1; i <= 4; i++) requirePerChannel(ctx, x, i, names[i - 1]);
    return List.of(x);
  }

  /**
   * Checks that input {@code i} (called {@code name}) holds one value per channel of x, [C], as the
   * normalizations' scale, B, mean and var do.
   */
  static void requirePerChannel(OpContext ctx, Shape x, int i, String name) {
    if (!ctx.in(i).equals(Shape.of(x.dim(1)))) {
      throw ctx.error(
          name
              + " has shape "
              + ctx.in(i)
              + ", expected ["
              + x.dim(1)
              + "] (the channels of "
              + x
              + ")");
    }
  }

  public static float epsilon(OpContext ctx) {
    return ctx.node().attributes().getFloat("epsilon", 1e-5f);
  }
}
