package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;

/**
 * Launchers of {@code cuda/render.cu}, the bookkeeping kernels of {@link DeviceRenderer}: per-sample flags (is any
 * seeded gradient element left, does any pass a ReLU) and moving the seeds of chosen samples between buffers. The
 * CPU twins are the host loops of {@link org.featviz.render.Renderer} (blockedByRelu, redirect, the all-zero input
 * gradient that marks a unit DEAD). Shapes: x, a, src, dst [B, N]; flags, mask int[B].
 */
public final class RenderKernels {
  private RenderKernels() {}

  /** flags[b] = 1 where some x[b, i] != 0 (NaN counts), else 0. */
  public static void anyNonzero(Device device, DeviceBuffer x, DeviceBuffer flags, int batch, int per) {
    sampleAny(device, x, x, flags, batch, per, false);
  }

  /** flags[b] = 1 where some i has x[b, i] != 0 and a[b, i] > 0 (a seeded element that passes a ReLU), else 0. */
  public static void anyNonzeroWherePositive(Device device, DeviceBuffer x, DeviceBuffer a, DeviceBuffer flags,
      int batch, int per) {
    sampleAny(device, x, a, flags, batch, per, true);
  }

  private static void sampleAny(Device device, DeviceBuffer x, DeviceBuffer a, DeviceBuffer flags, int batch,
      int per, boolean positiveOnly) {
    Launches.requireBatch(batch);
    Launches.requireNonNegative(per, "values per sample");
    Launches.requireFloats(x, (long) batch * per, "x");
    Launches.requireFloats(a, (long) batch * per, "a");
    Launches.requireInts(flags, batch, "flags");
    if (batch == 0) return;
    device.launch("render_sample_any", Dim3.of(batch), Dim3.of(Launches.threads(per)), 0,
        new KernelArgs().ptr(x).ptr(a).ptr(flags).i32(batch).i32(per).i32(Launches.flag(positiveOnly)));
  }

  /** For every sample b with mask[b] != 0: dst[b] += src[b], then src[b] = 0. src and dst must differ. */
  public static void moveSamples(Device device, DeviceBuffer src, DeviceBuffer dst, DeviceBuffer mask, int batch,
      int per) {
    Launches.requireBatch(batch);
    Launches.requireNonNegative(per, "values per sample");
    Launches.requireFloats(src, (long) batch * per, "src");
    Launches.requireFloats(dst, (long) batch * per, "dst");
    Launches.requireInts(mask, batch, "mask");
    if (src == dst) throw new IllegalArgumentException("moveSamples: src and dst are the same buffer");
    if (batch == 0 || per == 0) return;
    int threads = Launches.threads(per);
    device.launch("render_move_samples", Dim3.of(Launches.blocks(per, threads), batch), Dim3.of(threads), 0,
        new KernelArgs().ptr(src).ptr(dst).ptr(mask).i32(batch).i32(per));
  }
}
