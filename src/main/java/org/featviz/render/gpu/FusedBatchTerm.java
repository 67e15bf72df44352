package org.featviz.render.gpu;

/**
 * A batch term in the form the device render loop computes on the device ({@code
 * cuda/diversity.cu}, {@link DeviceBatchTerms}): its kind, layer and weight. {@link
 * FusedLowering#batchTerm} gives it for the terms of {@link org.featviz.objective.Objectives}; a
 * batch term without one (a user's own implementation) is evaluated on the host from its layers
 * copied back.
 */
public sealed interface FusedBatchTerm {
  /** The layer (value name) the term reads. */
  String layer();

  /** {@link org.featviz.objective.Diversity}. */
  record Diversity(String layer, double weight) implements FusedBatchTerm {}
}
