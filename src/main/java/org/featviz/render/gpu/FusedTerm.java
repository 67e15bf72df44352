package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.objective.PenaltyNorm;
import org.featviz.objective.Whitening;

/**
 * One term of an objective in the form one objective kernel computes ({@code cuda/objective.cu},
 * {@link ObjectiveKernels}): a kind with the objective's own arguments. {@link
 * FusedLowering#objective} lowers an objective to {@link Weighted} terms. Each kind says, for
 * {@link DeviceObjectives}, how its terms share launches ({@link #group}: terms of one group are
 * ONE launch for the whole batch), what a sample gives that launch ({@link #put}: a unit, a vector,
 * a target slice or a weight) and which launcher runs it ({@link #launch}). Terms measured in a
 * whitened space carry the objective's {@link Whitening}, which groups compare by identity (samples
 * that share one whitening object share its device copy and its GEMMs).
 *
 * <p>A new kind is a record here, its case in {@link FusedLowering}, its launcher in {@link
 * ObjectiveKernels} and its kernel in {@code cuda/objective.cu}.
 */
sealed interface FusedTerm {
  /** A term with the factor its value and gradient are multiplied by (1 for a plain objective). */
  record Weighted(FusedTerm term, double weight) {
    Weighted scaled(double factor) {
      return new Weighted(term, weight * factor);
    }
  }

  /**
   * What a launch needs besides the weight: the layer's geometry and buffers, the uploaded
   * arguments and, where the launch also counts Representative Substitution (unit kinds only), the
   * count's buffers (else null).
   */
  record Call(
      Device device,
      TargetLayer layer,
      DeviceBuffer acts,
      DeviceBuffer data,
      DeviceBuffer positions,
      DeviceBuffer grad,
      DeviceBuffer value,
      ObjectiveKernels.RsCount rs) {}

  /** The layer (value name) the term reads. */
  String layer();

  /**
   * The launch of this term at {@code weight}: terms of one kind, layer, weight and parameters
   * share it.
   */
  default TermGroup group(double weight) {
    return new TermGroup(layer(), getClass(), weight, 0, 0, null);
  }

  /** Gives sample b's argument to the launch; {@code weight} is the term's. */
  void put(LaunchArguments arguments, int b, double weight);

  /**
   * Whether a sample the group leaves out adds nothing with the default argument (unit -1, a zero
   * vector, weight 0). Where not, a group that leaves samples out runs into a cleared scratch
   * buffer, and only its samples are added.
   */
  default boolean excludable() {
    return true;
  }

  /**
   * Whether a sample's terms of one group add up into one argument (one launch) rather than a
   * launch each.
   */
  default boolean sumsInSample() {
    return false;
  }

  /**
   * Runs the group's kernel: ADDS weight times each sample's value and gradient into {@code call}'s
   * buffers.
   */
  void launch(Call call, float weight);

  /**
   * A kind whose argument is a unit (-1 leaves a sample out). Its kernel counts Representative
   * Substitution of that unit where the call asks ({@link Call#rs}).
   */
  sealed interface OnUnit extends FusedTerm {
    int unit();

    @Override
    default void put(LaunchArguments arguments, int b, double weight) {
      arguments.unit(b, unit());
    }
  }

  /**
   * A kind whose argument is a direction vector (zero leaves a sample out), measured on the
   * activations or, with a whitening, on the whitened vectors z = W (a - mu): then its kernel is
   * the whitened one, which reads z from the layer's {@link WhitenedSpace}, and its group is also
   * the whitening's.
   */
  sealed interface OnVector extends FusedTerm {
    float[] vector();

    /** The whitening the term measures in, or null for the activations themselves. */
    Whitening whitening();

    @Override
    default TermGroup group(double weight) {
      return new TermGroup(layer(), getClass(), weight, 0, 0, whitening());
    }

    @Override
    default void put(LaunchArguments arguments, int b, double weight) {
      arguments.vector(b, vector());
    }
  }

  /** {@link org.featviz.objective.Channel}. */
  record Channel(String layer, int unit) implements OnUnit {
    @Override
    public void launch(Call c, float weight) {
      ObjectiveKernels.channel(
          c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), weight, c.rs());
    }
  }

  /** {@link org.featviz.objective.IndependentActivation}. */
  record Iam(String layer, int unit) implements OnUnit {
    @Override
    public void launch(Call c, float weight) {
      ObjectiveKernels.iam(
          c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), weight, c.rs());
    }
  }

  /**
   * {@link org.featviz.objective.Neuron}: at column x, row y, or (x and y null) the center
   * position.
   */
  record Neuron(String layer, int unit, Integer x, Integer y) implements OnUnit {
    @Override
    public void put(LaunchArguments arguments, int b, double weight) {
      arguments.unit(b, unit);
      int width = arguments.sampleShape().dim(arguments.sampleShape().rank() - 1);
      arguments.position(
          b,
          x == null
              ? ObjectiveKernels.centerPosition(arguments.sampleShape())
              : ObjectiveKernels.position(x, y, width));
    }

    @Override
    public void launch(Call c, float weight) {
      ObjectiveKernels.neuron(
          c.device(),
          c.layer(),
          c.acts(),
          c.data(),
          c.positions(),
          c.grad(),
          c.value(),
          weight,
          c.rs());
    }
  }

  /**
   * {@link org.featviz.objective.Direction}; {@link org.featviz.objective.WhitenedChannel} as the
   * direction e_u.
   */
  record Direction(String layer, Whitening whitening, float[] vector) implements OnVector {
    @Override
    public void launch(Call c, float weight) {
      if (whitening == null) {
        ObjectiveKernels.direction(
            c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), weight);
      } else {
        ObjectiveKernels.whitenedDirection(
            c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), weight);
      }
    }
  }

  /** {@link org.featviz.objective.Cosine}. */
  record Cosine(String layer, Whitening whitening, float[] vector) implements OnVector {
    @Override
    public void launch(Call c, float weight) {
      if (whitening == null) {
        ObjectiveKernels.cosine(
            c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), weight);
      } else {
        ObjectiveKernels.whitenedCosine(
            c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), weight);
      }
    }
  }

  /** {@link org.featviz.objective.DotCossim}. */
  record DotCossim(String layer, Whitening whitening, float[] vector, double power, double floor)
      implements OnVector {
    @Override
    public TermGroup group(double weight) {
      return new TermGroup(layer, DotCossim.class, weight, power, floor, whitening);
    }

    @Override
    public void launch(Call c, float weight) {
      float n = (float) power;
      float f = (float) floor;
      if (whitening == null) {
        ObjectiveKernels.dotCossim(
            c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), weight, n, f);
      } else {
        ObjectiveKernels.whitenedDotCossim(
            c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), weight, n, f);
      }
    }
  }

  /**
   * {@link org.featviz.objective.OrthogonalPenalty}: a zero vector does not silence it (the penalty
   * remains).
   */
  record OrthogonalPenalty(String layer, float[] vector, double lambda) implements OnVector {
    /** None: the orthogonal penalty has no whitened form. */
    @Override
    public Whitening whitening() {
      return null;
    }

    @Override
    public TermGroup group(double weight) {
      return new TermGroup(layer, OrthogonalPenalty.class, weight, lambda, 0, null);
    }

    @Override
    public boolean excludable() {
      return false;
    }

    @Override
    public void launch(Call c, float weight) {
      ObjectiveKernels.orthogonalPenalty(
          c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), weight, (float) lambda);
    }
  }

  /**
   * {@link org.featviz.objective.L2Inversion}: its argument is the target slice [C, P]; zeros do
   * not silence it.
   */
  record L2Inversion(String layer, float[] target) implements FusedTerm {
    @Override
    public void put(LaunchArguments arguments, int b, double weight) {
      arguments.slice(b, target);
    }

    @Override
    public boolean excludable() {
      return false;
    }

    @Override
    public void launch(Call c, float weight) {
      ObjectiveKernels.l2Inversion(
          c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), weight);
    }
  }

  /**
   * {@link org.featviz.objective.LayerPenalty}: -penalty (1/M) sum |a_i| (L1) or -penalty (1/M) sum
   * a_i^2 (L2) over the M elements of the sample's slice. The kernel takes a weight per sample,
   * -weight penalty / M, summed over the sample's penalties of one layer and norm: one launch
   * (weight 0) covers them all, whatever their weights.
   */
  record LayerPenalty(String layer, PenaltyNorm norm, double penalty) implements FusedTerm {
    @Override
    public TermGroup group(double weight) {
      return new TermGroup(layer, LayerPenalty.class, 0, norm.ordinal(), 0, null);
    }

    @Override
    public void put(LaunchArguments arguments, int b, double weight) {
      arguments.addWeight(b, -weight * penalty / arguments.layer().sampleSize());
    }

    @Override
    public boolean sumsInSample() {
      return true;
    }

    @Override
    public void launch(Call c, float weight) {
      ObjectiveKernels.layerPenalty(
          c.device(), c.layer(), c.acts(), c.data(), c.grad(), c.value(), norm);
    }
  }
}
