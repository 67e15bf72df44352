package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;

/**
 * Launchers of {@code cuda/whitening.cu}: the layout kernels around the GEMMs of the whitened
 * objectives ({@link WhitenedSpace}). Shapes ({@link TargetLayer}): acts and grad [B, C, P]; rows
 * [C, B*P], element (b, c, p) at c * B * P + b * P + p, where one GEMM W [C, C] x rows whitens
 * every position of the batch; mean float[C]; mask int[B].
 */
public final class WhiteningKernels {
  private WhiteningKernels() {}

  /**
   * rows[c, b*P + p] = acts[b, c, p] - mean[c]: the centered activations, one column per position.
   */
  public static void gatherCentered(
      Device device, TargetLayer layer, DeviceBuffer acts, DeviceBuffer mean, DeviceBuffer rows) {
    Launches.requireBatch(layer.batch());
    Launches.requireFloats(acts, layer.size(), "activations");
    Launches.requireFloats(mean, layer.units(), "mean");
    Launches.requireFloats(rows, layer.size(), "rows");
    if (acts == rows)
      throw new IllegalArgumentException("gatherCentered: acts and rows are the same buffer");
    launch(
        device, "whitening_gather_centered", layer, new KernelArgs().ptr(acts).ptr(mean).ptr(rows));
  }

  /**
   * grad[b, c, p] += rows[c, b*P + p] for every sample b with mask[b] != 0; other samples are not
   * touched.
   */
  public static void scatterAdd(
      Device device, TargetLayer layer, DeviceBuffer rows, DeviceBuffer mask, DeviceBuffer grad) {
    Launches.requireBatch(layer.batch());
    Launches.requireFloats(rows, layer.size(), "rows");
    Launches.requireInts(mask, layer.batch(), "mask");
    Launches.requireFloats(grad, layer.size(), "grad");
    if (rows == grad)
      throw new IllegalArgumentException("scatterAdd: rows and grad are the same buffer");
    launch(device, "whitening_scatter_add", layer, new KernelArgs().ptr(rows).ptr(mask).ptr(grad));
  }

  /** Grid (X, B), grid-stride along the C * P values of each sample. */
  private static void launch(Device device, String kernel, TargetLayer layer, KernelArgs args) {
    if (layer.batch() == 0) return;
    int threads = Launches.threads(layer.sampleSize());
    device.launch(
        kernel,
        Dim3.of(Launches.blocks(layer.sampleSize(), threads), layer.batch()),
        Dim3.of(threads),
        0,
        args.i32(layer.batch()).i32(layer.units()).i32(layer.positions()));
  }
}
