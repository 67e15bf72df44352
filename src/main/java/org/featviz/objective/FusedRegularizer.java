package org.featviz.objective;

/**
 * An image regularizer in the form the fused regularizer kernel of the device render loop computes
 * ({@code cuda/regularize.cu}, {@code org.featviz.render.gpu.RegularizeKernels}): its kind and arguments.
 * {@link ImageRegularizer#fusedTerm()} gives it for the regularizers of {@link ImageRegularizers}; a regularizer
 * without one (a user's own implementation) is evaluated on the host.
 */
public sealed interface FusedRegularizer {
  /** The regularizer's weight: its value is -weight/M times its penalty (M = pixels of one image). */
  double weight();

  /** {@link ImageRegularizers#totalVariation}. */
  record TotalVariation(double weight) implements FusedRegularizer {}

  /** {@link ImageRegularizers#l1(double, double)}. */
  record L1(double weight, double center) implements FusedRegularizer {}

  /** {@link ImageRegularizers#blur}. */
  record Blur(double weight) implements FusedRegularizer {}
}
