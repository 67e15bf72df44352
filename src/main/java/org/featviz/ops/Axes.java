package org.featviz.ops;

import org.featviz.ir.Shape;

/**
 * Reads axis attributes the ONNX way (negative counts from the back) with errors that name the node
 * and shape.
 */
final class Axes {
  private Axes() {}

  /** Normalizes {@code axis} into [0, rank); ONNX accepts [-rank, rank - 1]. */
  static int normalize(OpContext ctx, long axis, Shape shape) {
    return normalize(ctx, axis, shape, shape.rank() - 1);
  }

  /**
   * Normalizes {@code axis} into [0, maxAxis], accepting [-rank, maxAxis] (Flatten allows maxAxis =
   * rank).
   */
  static int normalize(OpContext ctx, long axis, Shape shape, int maxAxis) {
    long a = axis < 0 ? axis + shape.rank() : axis;
    if (a < 0 || a > maxAxis) {
      throw ctx.error(
          "axis "
              + axis
              + " is out of range for input shape "
              + shape
              + " (accepted: "
              + (-shape.rank())
              + " to "
              + maxAxis
              + ")");
    }
    return (int) a;
  }
}
