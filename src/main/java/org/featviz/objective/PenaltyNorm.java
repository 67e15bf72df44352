package org.featviz.objective;

/** The norm a layer penalty measures: mean |a| (L1) or mean a^2 (L2). */
public enum PenaltyNorm {
  L1,
  L2
}
