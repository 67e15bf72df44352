package org.featviz.render.gpu;

import org.featviz.objective.PenaltyNorm;
import org.featviz.objective.Whitening;

/**
 * What the fused terms of one objective-kernel launch share, so that {@link DeviceObjectives} can group a batch's
 * terms into launches: the layer, the kind, the weight, the kind's parameters (n and floor, lambda, or a penalty's
 * norm as p1) and, for the whitened kinds, the whitening, compared by identity (null otherwise). Layer penalties
 * carry their weights per sample, so their group has weight 0 and covers every penalty of one layer and norm.
 */
record TermGroup(String layer, Kind kind, double weight, double p1, double p2, Whitening whitening) {
  /** Term kinds; the excludable ones silence a sample with an out-of-range unit, a zero vector or a zero weight. */
  enum Kind {
    CHANNEL(true), NEURON(true), IAM(true), DIRECTION(true), COSINE(true), DOT_COSSIM(true),
    ORTHOGONAL(false), L2_INVERSION(false), LAYER_PENALTY(true),
    WHITENED_DIRECTION(true), WHITENED_COSINE(true), WHITENED_DOT_COSSIM(true);

    final boolean excludable;

    Kind(boolean excludable) {
      this.excludable = excludable;
    }
  }

  /** The group of a term; layer penalties have theirs from {@link #penalty}. */
  static TermGroup of(FusedTerm t) {
    if (t instanceof FusedTerm.Channel c) return new TermGroup(c.layer(), Kind.CHANNEL, c.weight(), 0, 0, null);
    if (t instanceof FusedTerm.Neuron n) return new TermGroup(n.layer(), Kind.NEURON, n.weight(), 0, 0, null);
    if (t instanceof FusedTerm.Iam i) return new TermGroup(i.layer(), Kind.IAM, i.weight(), 0, 0, null);
    if (t instanceof FusedTerm.Direction d) return new TermGroup(d.layer(), Kind.DIRECTION, d.weight(), 0, 0, null);
    if (t instanceof FusedTerm.Cosine c) return new TermGroup(c.layer(), Kind.COSINE, c.weight(), 0, 0, null);
    if (t instanceof FusedTerm.DotCossim d) {
      return new TermGroup(d.layer(), Kind.DOT_COSSIM, d.weight(), d.power(), d.floor(), null);
    }
    if (t instanceof FusedTerm.OrthogonalPenalty o) {
      return new TermGroup(o.layer(), Kind.ORTHOGONAL, o.weight(), o.lambda(), 0, null);
    }
    if (t instanceof FusedTerm.L2Inversion l) {
      return new TermGroup(l.layer(), Kind.L2_INVERSION, l.weight(), 0, 0, null);
    }
    if (t instanceof FusedTerm.WhitenedDirection d) {
      return new TermGroup(d.layer(), Kind.WHITENED_DIRECTION, d.weight(), 0, 0, d.whitening());
    }
    if (t instanceof FusedTerm.WhitenedCosine c) {
      return new TermGroup(c.layer(), Kind.WHITENED_COSINE, c.weight(), 0, 0, c.whitening());
    }
    if (t instanceof FusedTerm.WhitenedDotCossim d) {
      return new TermGroup(d.layer(), Kind.WHITENED_DOT_COSSIM, d.weight(), d.power(), d.floor(), d.whitening());
    }
    if (t instanceof FusedTerm.LayerPenalty p) return penalty(p.layer(), p.norm());
    throw new IllegalStateException("unknown fused term " + t);
  }

  /** The one group of every penalty of {@code norm} on {@code layer}. */
  static TermGroup penalty(String layer, PenaltyNorm norm) {
    return new TermGroup(layer, Kind.LAYER_PENALTY, 0, norm.ordinal(), 0, null);
  }

  /** A layer penalty group's norm. */
  PenaltyNorm norm() {
    if (kind != Kind.LAYER_PENALTY) throw new IllegalStateException(kind + " has no norm");
    return PenaltyNorm.values()[(int) p1];
  }

  /** The direction vector of a vector term (length U). */
  static float[] vector(FusedTerm t) {
    if (t instanceof FusedTerm.Direction d) return d.vector();
    if (t instanceof FusedTerm.Cosine c) return c.vector();
    if (t instanceof FusedTerm.DotCossim d) return d.vector();
    if (t instanceof FusedTerm.OrthogonalPenalty o) return o.vector();
    if (t instanceof FusedTerm.WhitenedDirection d) return d.vector();
    if (t instanceof FusedTerm.WhitenedCosine c) return c.vector();
    if (t instanceof FusedTerm.WhitenedDotCossim d) return d.vector();
    throw new IllegalStateException("no vector in " + t);
  }
}
