package org.featviz.analyze;

/**
 * One row of layers.csv: Spearman's rho between two per-unit measures over a layer's analyzed
 * units, with its permutation p-value and bootstrap 95% interval ({@link
 * org.featviz.analysis.Spearman#test}). All four are NaN where a unit lacks a value (a diverged
 * image); rho and p are NaN where a measure has no spread.
 *
 * @param x a measure: "rs_am", "rs_iam", "selectivity" or "ablation_accuracy_drop"
 * @param y another, later in that order
 */
public record LayerRow(
    String layer,
    int units,
    String x,
    String y,
    double rho,
    double pValue,
    double ciLow,
    double ciHigh) {}
