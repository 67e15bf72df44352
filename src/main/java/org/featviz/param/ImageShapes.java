package org.featviz.param;

import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/** Validation of the image shapes [C, H, W] that parameterizations and transforms accept. */
final class ImageShapes {
  private ImageShapes() {}

  static Shape check(Shape shape, String who) {
    if (shape.rank() != 3 || shape.dim(0) < 1 || shape.dim(1) < 1 || shape.dim(2) < 1) {
      throw new ModelException(
          who + " needs an image shape [C, H, W] with positive sizes, got " + shape);
    }
    return shape;
  }
}
