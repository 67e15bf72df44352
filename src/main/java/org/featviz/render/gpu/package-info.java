/**
 * The render loop on a device, {@link org.featviz.render.gpu.DeviceRenderer} (the CPU {@link
 * org.featviz.render.Renderer}'s contract, one step of the whole batch on the device), and the thin
 * launchers of the fused kernels of the visualization step ({@code cuda/adam.cu}, {@code
 * cuda/objective.cu}, {@code cuda/transform.cu}, {@code cuda/param.cu}, {@code cuda/render.cu},
 * {@code cuda/whitening.cu}, {@code cuda/regularize.cu}, {@code cuda/diversity.cu}): one class per
 * kernel family, each taking {@link org.featviz.device.DeviceBuffer}s and sizes, checking them,
 * choosing the launch configuration and packing the arguments. {@link
 * org.featviz.render.gpu.FusedLowering} lowers the objectives, image regularizers and batch terms
 * of {@code org.featviz.objective} to the terms those kernels compute ({@link
 * org.featviz.render.gpu.FusedTerm}, {@link org.featviz.render.gpu.FusedRegularizer}, {@link
 * org.featviz.render.gpu.FusedBatchTerm}); anything it cannot lower runs on the host. The launchers
 * run on any {@link org.featviz.device.Device}: the host emulator in CI, a GPU through JCuda. Each
 * kernel mirrors a CPU twin (org.featviz.optim.Adam, org.featviz.objective.Objectives,
 * org.featviz.param.Transforms with org.featviz.model.InputNormalization,
 * org.featviz.param.PixelParam, ColorDecorrelation and FftParam,
 * org.featviz.objective.ImageRegularizers and the diversity term); docs/kernels.md lists the
 * kernels, their shapes, twins and tests.
 */
package org.featviz.render.gpu;
