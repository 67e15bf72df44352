package org.featviz.render.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.function.IntFunction;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Shape;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;
import org.featviz.objective.Whitening;
import org.junit.jupiter.api.Test;

/**
 * The device side of the whitened objectives against plain CPU references, on fresh random inputs:
 * the layout kernels of cuda/whitening.cu against index loops (bitwise), the objective_whitened_*
 * kernels of cuda/objective.cu on whitened vectors in the [C, B*P] layout against
 * Objectives.direction / cosine / dotCossim on the same vectors in [B, C, P], and a whole {@link
 * WhitenedSpace} step (gather, GEMM, kernels, GEMM back, scatter) against
 * Objectives.whitenedDirection / whitenedCosine / whitenedDotCossim / whitenedChannel (float64 on
 * the CPU). Values and gradients are ADDED onto random initial contents, as the kernels add.
 * Relative error with the tensor's scale as floor; NaN never passes.
 */
public abstract class WhitenedObjectiveCases extends DeviceCases {
  private static final String LAYER = "target";
  private static final Shape CONV = Shape.of(3, 6, 5, 5);
  private static final Shape DENSE = Shape.of(4, 8);
  private static final Shape[] SHAPES = {CONV, DENSE, Shape.of(2, 20, 9, 9)};

  /**
   * As the other objective kernels (measured on the emulator: 1.6e-7 at worst, the GEMMs included).
   */
  private static final double TOL = 1e-5;

  private final Random rng = new Random(4242);

  /** (b, c, p) of [B, C, P] at position i, as an index into the [C, B*P] layout. */
  private static int rowIndex(TargetLayer l, int i) {
    int p = i % l.positions();
    int c = (i / l.positions()) % l.units();
    int b = i / l.sampleSize();
    return (c * l.batch() + b) * l.positions() + p;
  }

  private static float[] toRows(TargetLayer l, float[] bcp) {
    float[] rows = new float[bcp.length];
    for (int i = 0; i < bcp.length; i++) rows[rowIndex(l, i)] = bcp[i];
    return rows;
  }

  private static float[] fromRows(TargetLayer l, float[] rows) {
    float[] bcp = new float[rows.length];
    for (int i = 0; i < bcp.length; i++) bcp[i] = rows[rowIndex(l, i)];
    return bcp;
  }

  /**
   * A whitening of U units estimated from correlated samples mu + M n (M uniform in [-1, 1], n
   * standard normal, mu uniform in [-0.5, 0.5]), so W is far from the identity and mu far from
   * zero.
   */
  private Whitening randomWhitening(int units) {
    float[] mix = KernelChecks.uniform(rng, units * units, -1f, 1f);
    float[] mean = KernelChecks.uniform(rng, units, -0.5f, 0.5f);
    float[][] samples = new float[6 * units + 10][units];
    double[] n = new double[units];
    for (float[] s : samples) {
      for (int j = 0; j < units; j++) n[j] = rng.nextGaussian();
      for (int i = 0; i < units; i++) {
        double v = mean[i];
        for (int j = 0; j < units; j++) v += mix[i * units + j] * n[j];
        s[i] = (float) v;
      }
    }
    return Whitening.estimate(samples);
  }

  private float[] directions(int batch, int units) {
    return KernelChecks.uniform(rng, batch * units, -1f, 1f);
  }

  private static float[] row(float[] v, int b, int length) {
    return KernelChecks.slice(v, b * length, length);
  }

  // ---- Layout kernels
  // -----------------------------------------------------------------------------------------

  @Test
  void gatherCenteredAndScatterAddMatchIndexLoops() {
    for (Shape s : SHAPES) {
      TargetLayer l = TargetLayer.of(s);
      float[] acts = KernelChecks.uniform(rng, s.size(), -1f, 1f);
      float[] mean = KernelChecks.uniform(rng, l.units(), -1f, 1f);
      float[] expectedRows = new float[s.size()];
      for (int i = 0; i < s.size(); i++)
        expectedRows[rowIndex(l, i)] = acts[i] - mean[(i / l.positions()) % l.units()];
      float[] rows = KernelChecks.uniform(rng, s.size(), -1f, 1f);
      float[] grad0 = KernelChecks.uniform(rng, s.size(), -1f, 1f);
      int[] mask = new int[l.batch()];
      for (int b = 0; b < l.batch(); b += 2) mask[b] = 1; // every other sample, the first included
      float[] expectedGrad = grad0.clone();
      for (int i = 0; i < s.size(); i++) {
        if (mask[i / l.sampleSize()] != 0) expectedGrad[i] += rows[rowIndex(l, i)];
      }
      try (DeviceBuffer a = device.toDevice(acts);
          DeviceBuffer m = device.toDevice(mean);
          DeviceBuffer out = device.allocateFloats(s.size());
          DeviceBuffer r = device.toDevice(rows);
          DeviceBuffer k = device.toDevice(mask);
          DeviceBuffer g = device.toDevice(grad0)) {
        WhiteningKernels.gatherCentered(device, l, a, m, out);
        KernelChecks.assertExact(
            expectedRows, device.copyToHostFloats(out, s.size()), "gather on " + s);
        WhiteningKernels.scatterAdd(device, l, r, k, g);
        KernelChecks.assertExact(
            expectedGrad, device.copyToHostFloats(g, s.size()), "scatter-add on " + s);
      }
    }
  }

  // ---- Whitened objective kernels on given z
  // ------------------------------------------------------------------

  /** One objective_whitened_* launch on z, dirs (device), adding into gz and value. */
  private interface ZLaunch {
    void run(
        TargetLayer layer, DeviceBuffer z, DeviceBuffer dirs, DeviceBuffer gz, DeviceBuffer value);
  }

  /**
   * The kernel on random z in [C, B*P] against the CPU objective of each sample on the same z in
   * [B, C, P]: values and the gradient d/dz, both added onto random initial contents.
   */
  private void compareOnZ(
      Shape s, float[] z, float[] dirs, IntFunction<Objective> cpu, ZLaunch launch, String what) {
    TargetLayer l = TargetLayer.of(s);
    float[] grad0 = KernelChecks.uniform(rng, s.size(), -1f, 1f);
    float[] value0 = KernelChecks.uniform(rng, l.batch(), -1f, 1f);
    float[] expectedGrad = grad0.clone();
    float[] expectedValue = value0.clone();
    for (int b = 0; b < l.batch(); b++) {
      expectedValue[b] =
          (float)
              (value0[b] + cpu.apply(b).evaluate(KernelChecks.sampleView(z, expectedGrad, s, b)));
    }
    try (DeviceBuffer zd = device.toDevice(toRows(l, z));
        DeviceBuffer d = device.toDevice(dirs);
        DeviceBuffer g = device.toDevice(toRows(l, grad0));
        DeviceBuffer v = device.toDevice(value0)) {
      launch.run(l, zd, d, g, v);
      KernelChecks.assertClose(
          expectedValue,
          device.copyToHostFloats(v, l.batch()),
          TOL,
          what + " on " + s + ": values");
      KernelChecks.assertClose(
          expectedGrad,
          fromRows(l, device.copyToHostFloats(g, s.size())),
          TOL,
          what + " on " + s + ": gradient d/dz");
    }
  }

  @Test
  void whitenedKernelsMatchTheCpuFunctionsOnTheRowLayout() {
    for (Shape s : SHAPES) {
      int units = s.dim(1);
      float[] z = KernelChecks.uniform(rng, s.size(), -1f, 1f);
      float[] dirs = directions(s.dim(0), units);
      compareOnZ(
          s,
          z,
          dirs,
          b -> Objectives.direction(LAYER, row(dirs, b, units)).times(-0.3),
          (l, zd, d, g, v) -> ObjectiveKernels.whitenedDirection(device, l, zd, d, g, v, -0.3f),
          "direction");
      compareOnZ(
          s,
          z,
          dirs,
          b -> Objectives.cosine(LAYER, row(dirs, b, units)),
          (l, zd, d, g, v) -> ObjectiveKernels.whitenedCosine(device, l, zd, d, g, v, 1f),
          "cosine");
      for (float[] nf : new float[][] {{1f, 0.1f}, {2.5f, 0.3f}, {0f, 0.1f}}) {
        compareOnZ(
            s,
            z,
            dirs,
            b -> Objectives.dotCossim(LAYER, row(dirs, b, units), nf[0], nf[1]).times(2),
            (l, zd, d, g, v) ->
                ObjectiveKernels.whitenedDotCossim(device, l, zd, d, g, v, 2f, nf[0], nf[1]),
            "dotCossim(n=" + nf[0] + ", floor=" + nf[1] + ")");
      }
    }
  }

  // ---- A whole whitened space
  // ---------------------------------------------------------------------------------

  /** The whitened kernels that one space runs in a test: z in, dZ added into gz. */
  private interface SpaceKernels {
    void run(TargetLayer layer, DeviceBuffer z, DeviceBuffer gz, DeviceBuffer value);
  }

  /**
   * One step of a {@link WhitenedSpace} on random activations: the member samples' gradients (added
   * onto a random seed) and values against the CPU objectives; the other samples' seeds must stay
   * bitwise unchanged.
   */
  private void compareSpace(
      Shape s,
      Whitening w,
      boolean[] members,
      IntFunction<Objective> cpu,
      SpaceKernels kernels,
      String what) {
    TargetLayer l = TargetLayer.of(s);
    float[] acts = KernelChecks.uniform(rng, s.size(), -1f, 1f);
    float[] seed0 = KernelChecks.uniform(rng, s.size(), -1f, 1f);
    float[] value0 = KernelChecks.uniform(rng, l.batch(), -1f, 1f);
    float[] expectedSeed = seed0.clone();
    float[] expectedValue = value0.clone();
    for (int b = 0; b < l.batch(); b++) {
      if (members[b]) {
        expectedValue[b] =
            (float)
                (value0[b]
                    + cpu.apply(b).evaluate(KernelChecks.sampleView(acts, expectedSeed, s, b)));
      }
    }
    try (WhitenedSpace space = new WhitenedSpace(device, LAYER, l, w, members);
        DeviceBuffer a = device.toDevice(acts);
        DeviceBuffer seed = device.toDevice(seed0);
        DeviceBuffer v = device.toDevice(value0);
        DeviceBuffer rows = device.allocateFloats(s.size());
        DeviceBuffer z = device.allocateFloats(s.size())) {
      space.whiten(a, rows, z);
      kernels.run(l, z, rows, v);
      space.addGradient(rows, z, seed);
      float[] values = device.copyToHostFloats(v, l.batch());
      float[] grad = device.copyToHostFloats(seed, s.size());
      for (int b = 0; b < l.batch(); b++) {
        if (members[b]) continue;
        assertArrayEquals(
            row(seed0, b, l.sampleSize()),
            row(grad, b, l.sampleSize()),
            what + ": sample " + b + " is no member and must not be touched");
        values[b] =
            expectedValue[
                b]; // a non-member's value is the kernels' business (its direction is zero)
      }
      KernelChecks.assertClose(expectedValue, values, TOL, what + " on " + s + ": values");
      KernelChecks.assertClose(expectedSeed, grad, TOL, what + " on " + s + ": gradient");
    }
  }

  /** Per-sample directions with the non-members' rows zero, as DeviceObjectives uploads them. */
  private float[] memberDirections(int batch, int units, boolean[] members) {
    float[] dirs = directions(batch, units);
    for (int b = 0; b < batch; b++)
      if (!members[b]) Arrays.fill(dirs, b * units, (b + 1) * units, 0f);
    return dirs;
  }

  @Test
  void aWhitenedSpaceMatchesTheWhitenedObjectives() {
    for (Shape s : SHAPES) {
      int batch = s.dim(0);
      int units = s.dim(1);
      Whitening w = randomWhitening(units);
      boolean[] all = new boolean[batch];
      Arrays.fill(all, true);
      boolean[] some = all.clone();
      some[batch - 1] = false;
      for (boolean[] members : new boolean[][] {all, some}) {
        String who = members == all ? "all samples" : "all but the last sample";
        float[] dirs = memberDirections(batch, units, members);
        try (DeviceBuffer d = device.toDevice(dirs)) {
          compareSpace(
              s,
              w,
              members,
              b -> Objectives.whitenedDirection(LAYER, w, row(dirs, b, units)),
              (l, z, gz, v) -> ObjectiveKernels.whitenedDirection(device, l, z, d, gz, v, 1f),
              "whitenedDirection, " + who);
          compareSpace(
              s,
              w,
              members,
              b -> Objectives.whitenedCosine(LAYER, w, row(dirs, b, units)).times(0.5),
              (l, z, gz, v) -> ObjectiveKernels.whitenedCosine(device, l, z, d, gz, v, 0.5f),
              "whitenedCosine, " + who);
          compareSpace(
              s,
              w,
              members,
              b -> Objectives.whitenedDotCossim(LAYER, w, row(dirs, b, units), 2, 0.1),
              (l, z, gz, v) ->
                  ObjectiveKernels.whitenedDotCossim(device, l, z, d, gz, v, 1f, 2f, 0.1f),
              "whitenedDotCossim, " + who);
        }
      }
    }
  }

  @Test
  void termsSharingASpaceAddUpAndAWhitenedChannelIsABasisDirection() {
    Shape s = CONV;
    int batch = s.dim(0);
    int units = s.dim(1);
    Whitening w = randomWhitening(units);
    boolean[] all = new boolean[batch];
    Arrays.fill(all, true);
    float[] dirs = directions(batch, units);
    int[] channel = {2, 0, units - 1};
    float[] basis = new float[batch * units];
    for (int b = 0; b < batch; b++) basis[b * units + channel[b]] = 1;
    try (DeviceBuffer d = device.toDevice(dirs);
        DeviceBuffer e = device.toDevice(basis)) {
      compareSpace(
          s,
          w,
          all,
          b ->
              Objectives.whitenedChannel(LAYER, w, channel[b])
                  .minus(Objectives.whitenedDotCossim(LAYER, w, row(dirs, b, units)).times(0.25)),
          (l, z, gz, v) -> {
            ObjectiveKernels.whitenedDirection(device, l, z, e, gz, v, 1f);
            ObjectiveKernels.whitenedDotCossim(device, l, z, d, gz, v, -0.25f, 1f, 0.1f);
          },
          "whitenedChannel - 0.25 whitenedDotCossim");
    }
  }

  @Test
  void badArgumentsFailInJava() {
    Whitening w = randomWhitening(4);
    TargetLayer l = new TargetLayer(2, 5, 3);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new WhitenedSpace(device, "relu3", l, w, new boolean[2]));
    assertTrue(
        e.getMessage().contains("relu3") && e.getMessage().contains("4 units"), e.getMessage());
    try (DeviceBuffer a = device.allocateFloats(30);
        DeviceBuffer small = device.allocateFloats(29);
        DeviceBuffer m = device.allocateFloats(5);
        DeviceBuffer k = device.allocateInts(2)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> WhiteningKernels.gatherCentered(device, l, a, m, small),
          "rows too small");
      assertThrows(
          IllegalArgumentException.class,
          () -> WhiteningKernels.gatherCentered(device, l, a, m, a),
          "in place");
      assertThrows(
          IllegalArgumentException.class,
          () -> WhiteningKernels.scatterAdd(device, l, a, k, small),
          "grad too small");
      assertThrows(
          IllegalArgumentException.class,
          () -> ObjectiveKernels.whitenedDotCossim(device, l, a, a, a, m, 1f, -1f, 0.1f),
          "a negative power");
    }
  }
}
