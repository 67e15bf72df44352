package org.featviz.objective;

/**
 * One term of an objective in the form the fused objective kernels of the device render loop compute
 * ({@code cuda/objective.cu}, {@code org.featviz.render.gpu.ObjectiveKernels}): a kind, the layer it reads, its
 * arguments and the weight it enters the sum with. {@link Objective#fusedTerms()} decomposes an objective into
 * these; an objective some part of which has no kernel (an {@link Objective} implemented outside this package, say)
 * has no such decomposition and is evaluated on the host. Vectors and whitenings are the objective's own objects: do
 * not modify them. Whitened terms carry their {@link Whitening}, which the device compares by identity (samples that
 * share one whitening object share its device copy and its GEMMs).
 */
public sealed interface FusedTerm {
  /** The layer (value name) the term reads. */
  String layer();

  /** The factor the term's value and gradient are multiplied by (1 for a plain objective). */
  double weight();

  /** The same term with its weight multiplied by {@code factor}. */
  FusedTerm scaled(double factor);

  /** {@link Objectives#channel}. */
  record Channel(String layer, int unit, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new Channel(layer, unit, weight * factor);
    }
  }

  /** {@link Objectives#neuron}: at column x, row y, or (x and y null) the center position. */
  record Neuron(String layer, int unit, Integer x, Integer y, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new Neuron(layer, unit, x, y, weight * factor);
    }
  }

  /** {@link Objectives#iam}. */
  record Iam(String layer, int unit, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new Iam(layer, unit, weight * factor);
    }
  }

  /** {@link Objectives#direction}. */
  record Direction(String layer, float[] vector, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new Direction(layer, vector, weight * factor);
    }
  }

  /** {@link Objectives#cosine}. */
  record Cosine(String layer, float[] vector, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new Cosine(layer, vector, weight * factor);
    }
  }

  /** {@link Objectives#dotCossim(String, float[], double, double)}. */
  record DotCossim(String layer, float[] vector, double power, double floor, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new DotCossim(layer, vector, power, floor, weight * factor);
    }
  }

  /** {@link Objectives#orthogonalPenalty}. */
  record OrthogonalPenalty(String layer, float[] vector, double lambda, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new OrthogonalPenalty(layer, vector, lambda, weight * factor);
    }
  }

  /** {@link Objectives#l2Inversion}. */
  record L2Inversion(String layer, float[] target, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new L2Inversion(layer, target, weight * factor);
    }
  }

  /** {@link Objectives#whitenedDirection}, and {@link Objectives#whitenedChannel} as the basis vector e_unit. */
  record WhitenedDirection(String layer, Whitening whitening, float[] vector, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new WhitenedDirection(layer, whitening, vector, weight * factor);
    }
  }

  /** {@link Objectives#whitenedCosine}. */
  record WhitenedCosine(String layer, Whitening whitening, float[] vector, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new WhitenedCosine(layer, whitening, vector, weight * factor);
    }
  }

  /** {@link Objectives#whitenedDotCossim(String, Whitening, float[], double, double)}. */
  record WhitenedDotCossim(String layer, Whitening whitening, float[] vector, double power, double floor,
      double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new WhitenedDotCossim(layer, whitening, vector, power, floor, weight * factor);
    }
  }

  /**
   * {@link Objectives#layerPenalty}: -penalty (1/M) sum |a_i| (L1) or -penalty (1/M) sum a_i^2 (L2) over the M
   * elements of the sample's slice, times weight.
   */
  record LayerPenalty(String layer, PenaltyNorm norm, double penalty, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new LayerPenalty(layer, norm, penalty, weight * factor);
    }
  }
}
