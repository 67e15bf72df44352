/**
 * Objectives of activation maximization: per-sample {@link org.featviz.objective.Objective}s
 * (neuron, channel, direction, cosine, dot x cossim^n, L2 inversion, orthogonal penalty, layer
 * penalties, IAM, and their whitened versions) that return a value and add its gradient into the
 * sample's layer gradients; the batch-level diversity term; image regularizers; and the sources of
 * direction vectors. Formulas and gradients are in docs/objectives.md. The package describes the
 * mathematics only: each kind is a class with its value and gradient that exposes its arguments
 * (sums and scalings their parts), and how a backend computes it is that backend's concern (the
 * device render loop's lowering to its kernels is {@code org.featviz.render.gpu.FusedLowering}).
 */
package org.featviz.objective;
