package org.featviz.render.gpu;

import org.featviz.objective.Whitening;

/**
 * What the fused terms of one objective-kernel launch share, so that {@link DeviceObjectives} can
 * group a batch's terms into launches ({@link FusedTerm#group}): the layer, the kind (the term's
 * record class), the weight, the kind's parameters (n and floor, lambda, or a penalty's norm as p1)
 * and, for the whitened kinds, the whitening, compared by identity (null otherwise). Layer
 * penalties carry their weights per sample, so their group has weight 0 and covers every penalty of
 * one layer and norm.
 */
record TermGroup(
    String layer,
    Class<? extends FusedTerm> kind,
    double weight,
    double p1,
    double p2,
    Whitening whitening) {}
