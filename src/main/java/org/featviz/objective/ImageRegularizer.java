package org.featviz.objective;

import org.featviz.ir.Shape;

/**
 * A term on the image itself rather than on activations, such as a smoothness or sparsity prior.
 * Its value is ADDED to the objective, so penalties return negative values; its gradient is added
 * into {@code gradImage}. Implementations are in {@link ImageRegularizers}.
 */
public interface ImageRegularizer {
  /**
   * image and gradImage: one image [C, H, W] (chw). Returns the value; adds d value / d image to
   * gradImage.
   */
  double evaluate(float[] image, Shape chw, float[] gradImage);

  /** A readable description such as "totalVariation(0.1)". */
  String describe();
}
