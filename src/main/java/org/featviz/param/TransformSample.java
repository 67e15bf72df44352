package org.featviz.param;

/**
 * One random draw of the augmentation for one image and one step: the zoom factor (greater than 1
 * enlarges the image), the rotation in degrees (positive turns the content counter-clockwise on
 * screen) and the translation (tx, ty) in image pixels (positive moves the content left / up). See
 * {@link Transforms} for the mapping.
 */
public record TransformSample(double scale, double angleDegrees, double tx, double ty) {
  public TransformSample {
    if (!(scale > 0) || !Double.isFinite(scale))
      throw new IllegalArgumentException("scale must be positive: " + scale);
    if (!Double.isFinite(angleDegrees) || !Double.isFinite(tx) || !Double.isFinite(ty)) {
      throw new IllegalArgumentException(
          "transform sample must be finite: " + angleDegrees + ", " + tx + ", " + ty);
    }
  }

  public static TransformSample identity() {
    return new TransformSample(1, 0, 0, 0);
  }

  public boolean isIdentity() {
    return scale == 1 && angleDegrees == 0 && tx == 0 && ty == 0;
  }
}
