package org.featviz.objective;

/**
 * A batch term in the form the device render loop computes on the device ({@code cuda/diversity.cu},
 * {@code org.featviz.render.gpu.DeviceBatchTerms}): its kind, layer and weight. {@link BatchObjective#fusedTerm()}
 * gives it for the terms of {@link Objectives}; a batch term without one (a user's own implementation) is evaluated
 * on the host from its layers copied back.
 */
public sealed interface FusedBatchTerm {
  /** The layer (value name) the term reads. */
  String layer();

  /** {@link Objectives#diversity}. */
  record Diversity(String layer, double weight) implements FusedBatchTerm {}
}
