package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.GemmBatch;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.KernelArgs;
import org.featviz.device.MathMode;

/**
 * Lucid's diversity term on the device for a whole batch: the Gram matrices through the device's
 * library GEMM (cuBLAS semantics), the normalization, the pairwise sums and dS/dG through {@code
 * cuda/diversity.cu}, and the gradient d value / d A added into the layer's seed by a second GEMM.
 * The GPU twin of {@link org.featviz.objective.Objectives#diversity} (the formulas are in {@code
 * cuda/diversity.cu} and docs/objectives.md).
 *
 * <p>Shapes ({@link Dims}): acts and seed [B, C, P]; the {@link Scratch}: gram [B, C * C], total [C
 * * C], norm and dots float[B]. The Gram matrices are one GEMM per sample (the device has no
 * batched GEMM), two per sample and step in all.
 *
 * <pre>
 * try (DiversityKernels.Scratch s = new DiversityKernels.Scratch(device, dims)) {
 *   DiversityKernels.addGradient(device, dims, acts, seed, s, weight);   // seed += d value / d acts
 *   double value = DiversityKernels.value(device, dims, s, weight);
 * }
 * </pre>
 */
public final class DiversityKernels {
  /** The guard of the Gram norms, as {@code Diversity.EPS}. */
  static final double EPS = 1e-12;

  /** A layer of B samples of C units at P positions each. */
  public record Dims(int batch, int units, int positions) {
    public Dims {
      Launches.requireBatch(batch);
      if (units < 1 || positions < 1) {
        throw new IllegalArgumentException(
            "diversity: units " + units + " and positions " + positions + " must be positive");
      }
      if ((long) units * units > Integer.MAX_VALUE
          || (long) units * positions > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "diversity: a layer of "
                + units
                + " units at "
                + positions
                + " positions is too large for one Gram matrix per sample");
      }
    }

    /** C * C, the values of one Gram matrix. */
    public int gramSize() {
      return units * units;
    }

    /** C * P, the values of one sample's activations. */
    public int sampleSize() {
      return units * positions;
    }

    /** n (n - 1), the ordered pairs of the batch. */
    double pairs() {
      return batch * (batch - 1.0);
    }
  }

  /**
   * The device buffers one diversity term needs per step; {@link #close()} frees them (idempotent).
   */
  public static final class Scratch implements AutoCloseable {
    final DeviceBuffer gram;
    final DeviceBuffer total;
    final DeviceBuffer norm;
    final DeviceBuffer dots;
    private boolean closed;

    public Scratch(Device device, Dims d) {
      DeviceBuffer[] b = new DeviceBuffer[4];
      try {
        b[0] = device.allocateFloats(Math.max(1, (long) d.batch() * d.gramSize()));
        b[1] = device.allocateFloats(d.gramSize());
        b[2] = device.allocateFloats(Math.max(1, d.batch()));
        b[3] = device.allocateFloats(Math.max(1, d.batch()));
      } catch (RuntimeException e) {
        for (DeviceBuffer x : b) if (x != null) x.close();
        throw e;
      }
      this.gram = b[0];
      this.total = b[1];
      this.norm = b[2];
      this.dots = b[3];
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      gram.close();
      total.close();
      norm.close();
      dots.close();
    }
  }

  private DiversityKernels() {}

  /**
   * seed += d value / d acts for the whole batch, value = -weight S / (n (n - 1)). Nothing for
   * fewer than two samples (the value is 0 there). Afterwards {@link #value} reads the value from
   * the scratch.
   */
  public static void addGradient(
      Device device, Dims d, DeviceBuffer acts, DeviceBuffer seed, Scratch s, double weight) {
    long size = (long) d.batch() * d.sampleSize();
    Launches.requireFloats(acts, size, "diversity activations");
    Launches.requireFloats(seed, size, "diversity seed");
    Launches.requireFloats(s.gram, (long) d.batch() * d.gramSize(), "diversity Gram scratch");
    if (acts == seed)
      throw new IllegalArgumentException("diversity: activations and seed are the same buffer");
    if (d.batch() < 2) return;
    int c = d.units();
    int p = d.positions();
    int k = d.gramSize();
    long sample = d.sampleSize();
    // G_b [C, C] = A_b [C, P] A_b^T, the whole batch in one strided-batched GEMM, in FP32 whatever
    // the network's
    // math mode (the objective is not the network)
    try (Device.MathModeScope fp32 = device.withMathMode(MathMode.FP32)) {
      device
          .library()
          .gemmStridedBatched(
              new GemmDescriptor(false, true, c, c, p),
              new GemmBatch(d.batch(), sample, sample, k),
              acts,
              0,
              acts,
              0,
              s.gram,
              0,
              1f,
              0f);
    }
    int threads = Launches.threads(k);
    device.launch(
        "diversity_normalize",
        Dim3.of(d.batch()),
        Dim3.of(threads),
        0,
        new KernelArgs().ptr(s.gram).ptr(s.norm).i32(d.batch()).i32(k));
    device.launch(
        "diversity_sum",
        Dim3.of(Launches.blocks(k, threads)),
        Dim3.of(threads),
        0,
        new KernelArgs().ptr(s.gram).ptr(s.total).i32(d.batch()).i32(k));
    float scale = (float) (-4 * weight / d.pairs());
    device.launch(
        "diversity_gram_grad",
        Dim3.of(d.batch()),
        Dim3.of(threads),
        0,
        new KernelArgs()
            .ptr(s.gram)
            .ptr(s.total)
            .ptr(s.norm)
            .ptr(s.dots)
            .i32(d.batch())
            .i32(k)
            .f32(scale));
    // seed_b [C, P] += U_b [C, C] A_b [C, P], U_b now in the Gram scratch (already scaled)
    try (Device.MathModeScope fp32 = device.withMathMode(MathMode.FP32)) {
      device
          .library()
          .gemmStridedBatched(
              new GemmDescriptor(false, false, c, p, c),
              new GemmBatch(d.batch(), k, sample, sample),
              s.gram,
              0,
              acts,
              0,
              seed,
              0,
              1f,
              1f);
    }
  }

  /**
   * The term's value after {@link #addGradient}: -weight sum_b gh_b / (n (n - 1)); 0 for fewer than
   * two.
   */
  public static double value(Device device, Dims d, Scratch s, double weight) {
    if (d.batch() < 2) return 0;
    float[] dots = device.copyToHostFloats(s.dots, d.batch());
    double sum = 0;
    for (float x : dots) sum += x;
    return -weight * sum / d.pairs();
  }
}
