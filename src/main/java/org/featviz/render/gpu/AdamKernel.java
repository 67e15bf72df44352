package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;

/**
 * The fused Adam ascent step of {@code cuda/adam.cu} over a batch of parameter vectors: the GPU
 * twin of {@link org.featviz.optim.Adam}, one launch for every sample instead of one Adam instance
 * per image. Shapes: B samples of P parameters; params, grad, m, v [B, P] floats; active int[B]
 * (nonzero: update this sample; zero: a dead or NaN sample that the renderer no longer updates).
 *
 * <pre>
 * device.memsetZero(m); device.memsetZero(v);                       // once, before step 1
 * AdamKernel.ascend(device, params, grad, m, v, active, batch, size, step, 0.05);   // step = 1, 2, ...
 * AdamKernel.deactivateNonFinite(device, params, active, batch, size);
 * </pre>
 */
public final class AdamKernel {
  /** Adam's defaults, as {@link org.featviz.optim.Adam#Adam(int, double)} uses them. */
  public static final double BETA1 = 0.9;

  public static final double BETA2 = 0.999;
  public static final double EPS = 1e-8;

  private AdamKernel() {}

  /** One ascent step with Adam's default betas and eps (see the full overload below). */
  public static void ascend(
      Device device,
      DeviceBuffer params,
      DeviceBuffer grad,
      DeviceBuffer m,
      DeviceBuffer v,
      DeviceBuffer active,
      int batch,
      int size,
      int step,
      double lr) {
    ascend(device, params, grad, m, v, active, batch, size, step, lr, BETA1, BETA2, EPS);
  }

  /**
   * Step number {@code step} (1 for the first) of Adam ascent along grad, for every active sample:
   * m and v are updated in place and params += lr m^ / (sqrt(v^) + eps). The bias corrections 1 -
   * beta^step and the complements 1 - beta are computed here in double and passed rounded once, as
   * the CPU twin rounds them.
   */
  public static void ascend(
      Device device,
      DeviceBuffer params,
      DeviceBuffer grad,
      DeviceBuffer m,
      DeviceBuffer v,
      DeviceBuffer active,
      int batch,
      int size,
      int step,
      double lr,
      double beta1,
      double beta2,
      double eps) {
    if (step < 1) throw new IllegalArgumentException("Adam step numbers start at 1, got " + step);
    if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
    checkShapes(params, active, batch, size);
    long n = (long) batch * size;
    Launches.requireFloats(grad, n, "grad");
    Launches.requireFloats(m, n, "m");
    Launches.requireFloats(v, n, "v");
    if (n == 0) return;
    int threads = Launches.threads(size);
    device.launch(
        "adam_ascend",
        Dim3.of(Launches.blocks(size, threads), batch),
        Dim3.of(threads),
        0,
        new KernelArgs()
            .ptr(params)
            .ptr(grad)
            .ptr(m)
            .ptr(v)
            .ptr(active)
            .i32(batch)
            .i32(size)
            .f32((float) lr)
            .f32((float) beta1)
            .f32((float) (1 - beta1))
            .f32((float) beta2)
            .f32((float) (1 - beta2))
            .f32((float) eps)
            .f32((float) (1 - Math.pow(beta1, step)))
            .f32((float) (1 - Math.pow(beta2, step))));
  }

  /**
   * Sets active[b] = 0 for every sample b with a NaN or infinite parameter; leaves the others
   * alone.
   */
  public static void deactivateNonFinite(
      Device device, DeviceBuffer params, DeviceBuffer active, int batch, int size) {
    checkShapes(params, active, batch, size);
    if ((long) batch * size == 0) return;
    int threads = Launches.threads(size);
    device.launch(
        "adam_deactivate_nonfinite",
        Dim3.of(Launches.blocks(size, threads), batch),
        Dim3.of(threads),
        0,
        new KernelArgs().ptr(params).ptr(active).i32(batch).i32(size));
  }

  private static void checkShapes(DeviceBuffer params, DeviceBuffer active, int batch, int size) {
    Launches.requireBatch(batch);
    Launches.requireNonNegative(size, "parameters per sample");
    Launches.requireFloats(params, (long) batch * size, "params");
    Launches.requireInts(active, batch, "active");
  }
}
