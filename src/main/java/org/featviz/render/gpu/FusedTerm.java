package org.featviz.render.gpu;

import org.featviz.objective.PenaltyNorm;
import org.featviz.objective.Whitening;

/**
 * One term of an objective in the form the fused objective kernels of the device render loop compute
 * ({@code cuda/objective.cu}, {@link ObjectiveKernels}): a kind, the layer it reads, its arguments and the weight
 * it enters the sum with. {@link FusedLowering#objective} decomposes an objective into these; an objective some
 * part of which has no kernel (an {@link org.featviz.objective.Objective} implemented outside
 * {@code org.featviz.objective}, say) has no such decomposition and is evaluated on the host. Whitened terms carry
 * the objective's {@link Whitening}, which the device compares by identity (samples that share one whitening object
 * share its device copy and its GEMMs).
 */
public sealed interface FusedTerm {
  /** The layer (value name) the term reads. */
  String layer();

  /** The factor the term's value and gradient are multiplied by (1 for a plain objective). */
  double weight();

  /** The same term with its weight multiplied by {@code factor}. */
  FusedTerm scaled(double factor);

  /** {@link org.featviz.objective.Channel}. */
  record Channel(String layer, int unit, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new Channel(layer, unit, weight * factor);
    }
  }

  /** {@link org.featviz.objective.Neuron}: at column x, row y, or (x and y null) the center position. */
  record Neuron(String layer, int unit, Integer x, Integer y, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new Neuron(layer, unit, x, y, weight * factor);
    }
  }

  /** {@link org.featviz.objective.IndependentActivation}. */
  record Iam(String layer, int unit, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new Iam(layer, unit, weight * factor);
    }
  }

  /** {@link org.featviz.objective.Direction}. */
  record Direction(String layer, float[] vector, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new Direction(layer, vector, weight * factor);
    }
  }

  /** {@link org.featviz.objective.Cosine}. */
  record Cosine(String layer, float[] vector, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new Cosine(layer, vector, weight * factor);
    }
  }

  /** {@link org.featviz.objective.DotCossim}. */
  record DotCossim(String layer, float[] vector, double power, double floor, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new DotCossim(layer, vector, power, floor, weight * factor);
    }
  }

  /** {@link org.featviz.objective.OrthogonalPenalty}. */
  record OrthogonalPenalty(String layer, float[] vector, double lambda, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new OrthogonalPenalty(layer, vector, lambda, weight * factor);
    }
  }

  /** {@link org.featviz.objective.L2Inversion}. */
  record L2Inversion(String layer, float[] target, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new L2Inversion(layer, target, weight * factor);
    }
  }

  /**
   * {@link org.featviz.objective.WhitenedDirection}, and {@link org.featviz.objective.WhitenedChannel} as the basis
   * vector e_unit.
   */
  record WhitenedDirection(String layer, Whitening whitening, float[] vector, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new WhitenedDirection(layer, whitening, vector, weight * factor);
    }
  }

  /** {@link org.featviz.objective.WhitenedCosine}. */
  record WhitenedCosine(String layer, Whitening whitening, float[] vector, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new WhitenedCosine(layer, whitening, vector, weight * factor);
    }
  }

  /** {@link org.featviz.objective.WhitenedDotCossim}. */
  record WhitenedDotCossim(String layer, Whitening whitening, float[] vector, double power, double floor,
      double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new WhitenedDotCossim(layer, whitening, vector, power, floor, weight * factor);
    }
  }

  /**
   * {@link org.featviz.objective.LayerPenalty}: -penalty (1/M) sum |a_i| (L1) or -penalty (1/M) sum a_i^2 (L2)
   * over the M elements of the sample's slice, times weight.
   */
  record LayerPenalty(String layer, PenaltyNorm norm, double penalty, double weight) implements FusedTerm {
    @Override
    public FusedTerm scaled(double factor) {
      return new LayerPenalty(layer, norm, penalty, weight * factor);
    }
  }
}
