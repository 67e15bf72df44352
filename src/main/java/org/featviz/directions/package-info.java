/**
 * Basis versus random directions of a layer's unit space (featviz directions): k basis directions
 * (single units) and k seeded random unit-norm directions, optionally drawn in the layer's whitened
 * space, rendered alike in one batch and measured with the unit analysis's measures (cosine of the
 * image's activation vector with its direction, Representative Substitution within the set, dataset
 * percentile, exemplar class purity, class selectivity), then compared population against
 * population per layer (medians, Mann-Whitney U, rank-biserial effect size).
 */
package org.featviz.directions;
