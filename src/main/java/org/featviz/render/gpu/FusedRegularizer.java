package org.featviz.render.gpu;

/**
 * An image regularizer in the form the fused regularizer kernel of the device render loop computes
 * ({@code cuda/regularize.cu}, {@link RegularizeKernels}): its kind and arguments. {@link
 * FusedLowering#regularizer} gives it for the regularizers of {@link
 * org.featviz.objective.ImageRegularizers}; a regularizer without one (a user's own implementation)
 * is evaluated on the host.
 */
public sealed interface FusedRegularizer {
  /**
   * The regularizer's weight: its value is -weight/M times its penalty (M = pixels of one image).
   */
  double weight();

  /** {@link org.featviz.objective.ImageRegularizers.TotalVariation}. */
  record TotalVariation(double weight) implements FusedRegularizer {}

  /** {@link org.featviz.objective.ImageRegularizers.L1}. */
  record L1(double weight, double center) implements FusedRegularizer {}

  /** {@link org.featviz.objective.ImageRegularizers.Blur}. */
  record Blur(double weight) implements FusedRegularizer {}
}
