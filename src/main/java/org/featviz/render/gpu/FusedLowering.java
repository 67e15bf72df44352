package org.featviz.render.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.featviz.objective.BatchObjective;
import org.featviz.objective.Channel;
import org.featviz.objective.Cosine;
import org.featviz.objective.Direction;
import org.featviz.objective.Diversity;
import org.featviz.objective.DotCossim;
import org.featviz.objective.ImageRegularizer;
import org.featviz.objective.ImageRegularizers;
import org.featviz.objective.IndependentActivation;
import org.featviz.objective.L2Inversion;
import org.featviz.objective.LayerPenalty;
import org.featviz.objective.Neuron;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;
import org.featviz.objective.OrthogonalPenalty;
import org.featviz.objective.WhitenedChannel;

/**
 * The lowering of objectives, image regularizers and batch terms to the fused kernels of the device
 * render loop: the one place where the kinds of {@code org.featviz.objective} (which know their
 * mathematics, not the device) meet the terms the kernels compute. Each kind maps to its term with
 * the objective's own arguments; a sum lowers to its parts' terms one after the other and a scaling
 * multiplies their weights, so an objective is a weighted sum of terms. Anything with a part of a
 * kind not listed here (an {@link Objective} implemented elsewhere, or a sum containing one) has no
 * lowering: the device render loop evaluates it on the host ({@link HostObjectives}).
 *
 * <pre>
 * FusedLowering.objective(Objectives.channel("conv2", 5).times(2))   // [Weighted(Channel(conv2, 5), 2)]
 * </pre>
 */
public final class FusedLowering {
  private FusedLowering() {}

  /**
   * Whether the device render loop computes this objective with its kernels (every objective of
   * Objectives).
   */
  public static boolean onDevice(Objective objective) {
    return objective(objective).isPresent();
  }

  /**
   * The objective as a weighted sum of fused terms, in the order its sums name them, or empty
   * (host).
   */
  static Optional<List<FusedTerm.Weighted>> objective(Objective objective) {
    if (objective instanceof Objectives.Sum sum) {
      Optional<List<FusedTerm.Weighted>> first = objective(sum.first());
      Optional<List<FusedTerm.Weighted>> second = objective(sum.second());
      if (first.isEmpty() || second.isEmpty()) return Optional.empty();
      List<FusedTerm.Weighted> all = new ArrayList<>(first.get());
      all.addAll(second.get());
      return Optional.of(List.copyOf(all));
    }
    if (objective instanceof Objectives.Scaled scaled) {
      return objective(scaled.inner())
          .map(terms -> terms.stream().map(t -> t.scaled(scaled.scale())).toList());
    }
    return term(objective).map(t -> List.of(new FusedTerm.Weighted(t, 1)));
  }

  /** One objective kind's term; empty for a kind no kernel computes. */
  private static Optional<FusedTerm> term(Objective o) {
    if (o instanceof Channel c) return Optional.of(new FusedTerm.Channel(c.layer(), c.unitIndex()));
    if (o instanceof Neuron n)
      return Optional.of(new FusedTerm.Neuron(n.layer(), n.unitIndex(), n.x(), n.y()));
    if (o instanceof IndependentActivation i)
      return Optional.of(new FusedTerm.Iam(i.layer(), i.unitIndex()));
    // Direction, cosine and dot x cossim with a whitening run the whitened kernels
    // (FusedTerm.OnVector).
    if (o instanceof Direction d) {
      return Optional.of(
          new FusedTerm.Direction(d.layer(), d.whitening().orElse(null), d.vector()));
    }
    if (o instanceof Cosine c) {
      return Optional.of(new FusedTerm.Cosine(c.layer(), c.whitening().orElse(null), c.vector()));
    }
    if (o instanceof DotCossim d) {
      return Optional.of(
          new FusedTerm.DotCossim(
              d.layer(), d.whitening().orElse(null), d.vector(), d.power(), d.floor()));
    }
    if (o instanceof OrthogonalPenalty p && p.whitening().isEmpty()) {
      return Optional.of(new FusedTerm.OrthogonalPenalty(p.layer(), p.vector(), p.lambda()));
    }
    if (o instanceof L2Inversion l)
      return Optional.of(new FusedTerm.L2Inversion(l.layer(), l.target()));
    if (o instanceof LayerPenalty p)
      return Optional.of(new FusedTerm.LayerPenalty(p.layer(), p.norm(), p.weight()));
    if (o instanceof WhitenedChannel w) {
      // z_u = z . e_u exactly (the other products are 0), so the kernels compute it as a whitened
      // direction.
      float[] basis = new float[w.whitening().units()];
      basis[w.unitIndex()] = 1;
      return Optional.of(new FusedTerm.Direction(w.layer(), w.whitening(), basis));
    }
    return Optional.empty();
  }

  /** The regularizer as the fused regularizer kernel's term, or empty (host). */
  static Optional<FusedRegularizer> regularizer(ImageRegularizer regularizer) {
    if (regularizer instanceof ImageRegularizers.TotalVariation t) {
      return Optional.of(new FusedRegularizer.TotalVariation(t.weight()));
    }
    if (regularizer instanceof ImageRegularizers.L1 l) {
      return Optional.of(new FusedRegularizer.L1(l.weight(), l.center()));
    }
    if (regularizer instanceof ImageRegularizers.Blur b)
      return Optional.of(new FusedRegularizer.Blur(b.weight()));
    return Optional.empty();
  }

  /** The batch term as the device computes it, or empty (host). */
  static Optional<FusedBatchTerm> batchTerm(BatchObjective term) {
    if (term instanceof Diversity d)
      return Optional.of(new FusedBatchTerm.Diversity(d.layer(), d.weight()));
    return Optional.empty();
  }
}
