/**
 * Image parameterizations (pixel, Lucid's FFT spectral with color decorrelation) that turn
 * optimizer parameters into images in (0, 1), and the random augmentation (pad, jitter, scale,
 * rotate) composed into one affine resampling, each with its exact backward. Written as the CPU
 * reference for the fused GPU kernels. See docs/parameterizations.md.
 */
package org.featviz.param;
