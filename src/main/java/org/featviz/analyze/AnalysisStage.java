package org.featviz.analyze;

/** The parts of an analysis whose time {@link AnalysisListener#timed} reports. */
public enum AnalysisStage {
  /** The one forward pass over the dataset for selectivity, percentiles and exemplars. */
  DATASET_PASS,
  /** Every selected unit ablated alone. */
  SINGLE_ABLATION,
  /** The renders of one image objective (a sweep; reported once per objective). */
  RENDERS,
  /** The cumulative ablation curves. */
  CUMULATIVE_ABLATION
}
