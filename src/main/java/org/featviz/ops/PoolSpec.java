package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * MaxPool and AveragePool: X (N x C x D1 x ... x Dk) pooled over windows from {@link SpatialWindow}
 * (kernel_shape, strides, pads, dilations, ceil_mode, auto_pad) gives Y (N x C x O1 x ... x Ok).
 * MaxPool's optional Indices output is not supported; storage_order only affects Indices, so it is
 * ignored.
 */
public final class PoolSpec implements OpSpec {
  static final PoolSpec INSTANCE = new PoolSpec();

  private PoolSpec() {}

  @Override
  public List<Shape> outputShapes(OpContext ctx) {
    Shape x = ctx.in(0);
    return List.of(window(ctx).outputShape(x.dim(0), x.dim(1)));
  }

  /**
   * The pooling window; throws {@link UnsupportedOpException} where MaxPool's Indices output is
   * asked for.
   */
  public static SpatialWindow window(OpContext ctx) {
    List<String> outputs = ctx.node().outputs();
    if (outputs.size() > 1 && !outputs.get(1).isEmpty()) {
      throw new UnsupportedOpException(
          ctx.node(), ctx.opset(), "the Indices output of " + ctx.node().opType());
    }
    return SpatialWindow.read(ctx, ctx.in(0), SpatialWindow.kernelShapeAttribute(ctx), true);
  }
}
