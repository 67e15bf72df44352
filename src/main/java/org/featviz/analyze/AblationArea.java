package org.featviz.analyze;

/**
 * One row of ablation_auc.csv: the area under a cumulative ablation curve's accuracy over the
 * fraction ablated (trapezoids), 1 for a network that loses nothing.
 */
public record AblationArea(String layer, String order, double auc) {}
