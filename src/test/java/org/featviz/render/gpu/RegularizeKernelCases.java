package org.featviz.render.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Shape;
import org.featviz.objective.ImageRegularizer;
import org.featviz.objective.ImageRegularizers;
import org.junit.jupiter.api.Test;

/**
 * regularize_image of cuda/regularize.cu against {@link ImageRegularizers} (the CPU renderer's
 * regularizers, one image at a time): total variation, L1 (a center a float holds and one it does
 * not), blur, each alone and all together, on images that cross the kernel's 16 x 16 tiles in both
 * directions and on images smaller than a tile (1 x 1, one row, one column), with ties between
 * neighbours (sign 0), smooth images near 0.5 (where blur's residual is a small difference), masked
 * samples left bitwise untouched, and gradients added onto existing contents. Relative error with
 * the added gradient's scale as the floor.
 */
public abstract class RegularizeKernelCases extends DeviceCases {
  private static final double TOL = 1e-5;
  private final Random rng = new Random(2024);

  /** Shapes [C, H, W]: within one tile, across tiles (17 rows, 33 columns), and degenerate ones. */
  private static final int[][] SHAPES = {
    {1, 12, 12}, {3, 10, 9}, {2, 17, 33}, {1, 1, 1}, {1, 1, 7}, {2, 5, 1}
  };

  /** How test images look. */
  private enum Pixels {
    /** Uniform in [0, 1). */
    RANDOM,
    /** Quantized to quarters: many neighbours are equal (sign 0). */
    TIES,
    /** 0.5 +- 1e-3, a start image: r = x - B x is a small difference of values near 0.5. */
    SMOOTH
  }

  private float[] images(int n, Pixels kind) {
    float[] x = KernelChecks.uniform(rng, n, 0f, 1f);
    for (int i = 0; i < n; i++) {
      if (kind == Pixels.TIES) x[i] = Math.round(x[i] * 4) / 4f;
      if (kind == Pixels.SMOOTH) x[i] = 0.5f + 2e-3f * (x[i] - 0.5f);
    }
    return x;
  }

  /**
   * The CPU renderer's loop: for each masked sample, every regularizer in turn adds into its
   * gradient.
   */
  private static float[] reference(
      List<ImageRegularizer> regs, float[] x, float[] grad, int[] mask, Shape chw) {
    float[] out = grad.clone();
    int m = chw.size();
    for (int b = 0; b < mask.length; b++) {
      if (mask[b] == 0) continue;
      float[] img = KernelChecks.slice(x, b * m, m);
      float[] g = KernelChecks.slice(out, b * m, m);
      for (ImageRegularizer r : regs) r.evaluate(img, chw, g);
      System.arraycopy(g, 0, out, b * m, m);
    }
    return out;
  }

  private float[] onDevice(
      List<ImageRegularizer> regs, float[] x, float[] grad, int[] mask, Shape chw) {
    List<FusedRegularizer> fused = new ArrayList<>();
    for (ImageRegularizer r : regs) fused.add(FusedLowering.regularizer(r).orElseThrow());
    RegularizeKernels.Terms terms = RegularizeKernels.Terms.of(fused, chw.size());
    try (DeviceBuffer dx = device.toDevice(x);
        DeviceBuffer dg = device.toDevice(grad);
        DeviceBuffer dm = device.toDevice(mask);
        DeviceBuffer l1 =
            device.toDevice(terms.l1Rows().length == 0 ? new float[1] : terms.l1Rows())) {
      RegularizeKernels.apply(
          device, mask.length, chw.dim(0), chw.dim(1), chw.dim(2), dx, dg, dm, terms, l1);
      return device.copyToHostFloats(dg, grad.length);
    }
  }

  /**
   * Compares the added gradients (result minus the initial contents, in double) with the CPU's, and
   * checks that unmasked samples are bitwise unchanged.
   */
  private void check(
      List<ImageRegularizer> regs,
      int batch,
      int[] chw,
      Pixels pixels,
      boolean zeroStart,
      String what) {
    Shape shape = Shape.of(chw[0], chw[1], chw[2]);
    int m = shape.size();
    float[] x = images(batch * m, pixels);
    float[] grad =
        zeroStart ? new float[batch * m] : KernelChecks.uniform(rng, batch * m, -1e-3f, 1e-3f);
    int[] mask = new int[batch];
    for (int b = 0; b < batch; b++) mask[b] = b == 1 ? 0 : 1; // sample 1 is not updated this step
    float[] expected = reference(regs, x, grad, mask, shape);
    float[] actual = onDevice(regs, x, grad, mask, shape);
    float[] addedCpu = new float[expected.length];
    float[] addedDev = new float[expected.length];
    for (int i = 0; i < expected.length; i++) {
      addedCpu[i] = (float) ((double) expected[i] - grad[i]);
      addedDev[i] = (float) ((double) actual[i] - grad[i]);
    }
    String label = what + " on " + batch + "x" + shape + ", " + pixels + " pixels";
    KernelChecks.assertClose(addedCpu, addedDev, TOL, label + " (added gradient)");
    KernelChecks.assertClose(expected, actual, TOL, label + " (result)");
    if (batch > 1) {
      KernelChecks.assertExact(
          KernelChecks.slice(grad, m, m),
          KernelChecks.slice(actual, m, m),
          label + ": the unmasked sample");
    }
  }

  @Test
  void eachRegularizerAloneMatchesTheCpu() {
    for (int[] s : SHAPES) {
      for (Pixels pixels : Pixels.values()) {
        check(List.of(ImageRegularizers.totalVariation(0.7)), 3, s, pixels, true, "tv");
        check(List.of(ImageRegularizers.l1(0.4)), 3, s, pixels, true, "l1");
        check(List.of(ImageRegularizers.blur(1.3)), 3, s, pixels, true, "blur");
      }
    }
  }

  @Test
  void allTogetherAddOntoExistingGradients() {
    List<ImageRegularizer> regs =
        List.of(
            ImageRegularizers.totalVariation(0.25),
            ImageRegularizers.l1(0.05),
            ImageRegularizers.blur(1),
            ImageRegularizers.totalVariation(0.1),
            ImageRegularizers.l1(0.2, 0.25));
    for (int[] s : SHAPES) {
      check(
          regs,
          4,
          s,
          Pixels.RANDOM,
          false,
          "tv + l1 + blur + tv + l1(0.25), onto random gradients");
      check(regs, 2, s, Pixels.TIES, true, "tv + l1 + blur + tv + l1(0.25)");
    }
    check(regs, 1, new int[] {3, 16, 16}, Pixels.RANDOM, true, "one sample, one whole tile");
  }

  @Test
  void l1SignsMatchTheCpuAtTheCenterEvenWhereNoFloatHoldsIt() {
    // Pixels at, just below and just above the float nearest 0.3 (which is not 0.3) and 0.5 (which
    // is exact).
    for (double center : new double[] {0.3, 0.5, 1.0 / 3}) {
      float c = (float) center;
      float[] x = {
        c, Math.nextUp(c), Math.nextDown(c), 0.5f, Math.nextUp(0.5f), Math.nextDown(0.5f), 0f, 1f
      };
      int[] mask = {1};
      Shape chw = Shape.of(1, 1, x.length);
      List<ImageRegularizer> regs = List.of(ImageRegularizers.l1(1, center));
      float[] expected = reference(regs, x, new float[x.length], mask, chw);
      float[] actual = onDevice(regs, x, new float[x.length], mask, chw);
      KernelChecks.assertClose(expected, actual, TOL, "l1 around center " + center);
      float[] row = RegularizeKernels.l1Row(1, center);
      for (float v : x) {
        int cpu = (int) Math.signum((double) v - center);
        int bounds = v >= row[1] ? 1 : (v <= row[2] ? -1 : 0);
        assertEquals(cpu, bounds, "sign of " + v + " - " + center);
      }
    }
  }

  @Test
  void aNanPixelGivesNanGradientsAsOnTheCpu() {
    Shape chw = Shape.of(1, 4, 4);
    float[] x = images(16, Pixels.RANDOM);
    x[5] = Float.NaN;
    int[] mask = {1};
    for (ImageRegularizer r :
        List.of(
            ImageRegularizers.totalVariation(1),
            ImageRegularizers.l1(1),
            ImageRegularizers.blur(1))) {
      float[] expected = reference(List.of(r), x, new float[16], mask, chw);
      float[] actual = onDevice(List.of(r), x, new float[16], mask, chw);
      for (int i = 0; i < 16; i++) {
        assertEquals(
            Float.isNaN(expected[i]), Float.isNaN(actual[i]), r.describe() + ": NaN at " + i);
      }
      assertTrue(Float.isNaN(actual[5]), r.describe() + ": the NaN pixel's own gradient");
    }
  }

  @Test
  void badArgumentsAreRefusedInJava() {
    RegularizeKernels.Terms terms =
        RegularizeKernels.Terms.of(List.of(new FusedRegularizer.L1(1, 0.5)), 16);
    try (DeviceBuffer x = device.allocateFloats(32);
        DeviceBuffer g = device.allocateFloats(31);
        DeviceBuffer m = device.allocateInts(2);
        DeviceBuffer l1 = device.allocateFloats(2)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> RegularizeKernels.apply(device, 2, 1, 4, 4, x, g, m, terms, l1),
          "gradient too small");
      assertThrows(
          IllegalArgumentException.class,
          () -> RegularizeKernels.apply(device, 2, 1, 4, 4, x, x, m, terms, l1),
          "l1 terms too small");
      assertThrows(
          IllegalArgumentException.class,
          () -> RegularizeKernels.apply(device, 2, 0, 4, 4, x, x, m, terms, l1),
          "no channels");
      assertThrows(
          IllegalArgumentException.class,
          () -> RegularizeKernels.l1Row(1, Double.NaN),
          "NaN center");
    }
  }
}
