/**
 * Objectives of activation maximization: per-sample {@link org.featviz.objective.Objective}s (neuron, channel,
 * direction, cosine, dot x cossim^n, L2 inversion, orthogonal penalty, layer penalties, IAM, and their whitened
 * versions) that return a value and add its gradient into the sample's layer gradients; the batch-level
 * diversity term; image regularizers; and the sources of direction vectors. Formulas and gradients are in
 * docs/objectives.md.
 */
package org.featviz.objective;
