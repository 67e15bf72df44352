package org.featviz.analyze;

/**
 * One row of ablation.csv: a point of a cumulative ablation curve, the first {@code unitsAblated}
 * units of a layer in {@code order} set to 0.
 *
 * @param order "random_S" (seed S), or a measure and a direction: "selectivity_high_first",
 *     "rs_am_low_first", ...
 * @param fraction the share of the layer's analyzed units ablated, 0..1
 */
public record AblationPoint(
    String layer,
    String order,
    double fraction,
    int unitsAblated,
    double accuracy,
    double meanLoss) {}
