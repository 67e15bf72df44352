package org.featviz.render.gpu;

import static org.featviz.Literals.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.objective.Objectives;
import org.featviz.objective.SampleView;
import org.featviz.render.BatchSampleView;
import org.junit.jupiter.api.Test;

/**
 * The diversity term on the device ({@link DiversityKernels}: Gram GEMMs, diversity_normalize,
 * diversity_sum, diversity_gram_grad, the gradient GEMM) against {@link Objectives#diversity}, the
 * CPU renderer's term, on fresh random activations: conv and dense layers, Gram matrices larger
 * than a block (strided loops), batches of 2 to 5, activations that are nearly the same in every
 * sample (cosines near 1, where the gradient is a small difference of large terms), gradients added
 * onto a seed's contents, the value, a batch of one (no gradient), and argument checks. Relative
 * error with the gradient's scale as the floor.
 */
public abstract class DiversityKernelCases extends DeviceCases {
  private final Random rng = new Random(314);

  /** The CPU's value, and its gradient added onto {@code seed} (a copy). */
  private record Expected(double value, float[] seed) {}

  private static Expected reference(float[] acts, float[] seed, Shape batchShape, double weight) {
    Tensor a = Tensor.of(batchShape, acts.clone());
    Tensor g = Tensor.of(batchShape, seed.clone());
    List<SampleView> views = new ArrayList<>();
    for (int b = 0; b < batchShape.dim(0); b++)
      views.add(new BatchSampleView(Map.of("l", a), Map.of("l", g), b));
    double value = Objectives.diversity("l", weight).evaluate(views);
    return new Expected(value, g.data());
  }

  private record Actual(double value, float[] seed) {}

  private Actual onDevice(float[] acts, float[] seed, DiversityKernels.Dims d, double weight) {
    try (DeviceBuffer a = device.toDevice(acts);
        DeviceBuffer s = device.toDevice(seed);
        DiversityKernels.Scratch scratch = new DiversityKernels.Scratch(device, d)) {
      DiversityKernels.addGradient(device, d, a, s, scratch, weight);
      return new Actual(
          DiversityKernels.value(device, d, scratch, weight),
          device.copyToHostFloats(s, seed.length));
    }
  }

  /**
   * Activations [B, C, P] >= 0 (as after a ReLU): independent, or a shared base plus {@code spread}
   * noise.
   */
  private float[] activations(int batch, int per, float spread) {
    float[] base = KernelChecks.uniform(rng, per, 0f, 1f);
    float[] a = new float[batch * per];
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < per; i++) {
        a[b * per + i] =
            spread < 0
                ? rng.nextFloat()
                : Math.max(0f, base[i] + spread * (rng.nextFloat() - 0.5f));
      }
    }
    return a;
  }

  private void check(
      int batch, int units, int[] spatial, float spread, double weight, double tol, String what) {
    int positions = 1;
    int[] dims = new int[2 + spatial.length];
    dims[0] = batch;
    dims[1] = units;
    for (int i = 0; i < spatial.length; i++) {
      dims[2 + i] = spatial[i];
      positions *= spatial[i];
    }
    Shape shape = Shape.of(dims);
    DiversityKernels.Dims d = new DiversityKernels.Dims(batch, units, positions);
    float[] acts = activations(batch, units * positions, spread);
    String label = what + " " + shape + ", weight " + weight;
    // Precision on a cleared seed, where the floor is the gradient's own scale.
    Expected e = reference(acts, new float[acts.length], shape, weight);
    Actual r = onDevice(acts, new float[acts.length], d, weight);
    KernelChecks.assertClose(e.seed(), r.seed(), tol, label + ": gradient");
    assertEquals(e.value(), r.value(), tol * (1e-3 + Math.abs(e.value())), label + ": value");
    // Added onto existing seeds (the objectives' gradients), as in the render loop.
    float[] seed = KernelChecks.uniform(rng, acts.length, -1e-2f, 1e-2f);
    Expected e2 = reference(acts, seed, shape, weight);
    Actual r2 = onDevice(acts, seed, d, weight);
    KernelChecks.assertClose(e2.seed(), r2.seed(), tol, label + ": added onto a seed");
  }

  /**
   * A diverged sample (NaN activations) takes no part, as on the CPU: the others' gradients and the
   * value agree.
   */
  @Test
  void aNonFiniteSampleTakesNoPart() {
    Shape shape = Shape.of(3, 4, 3, 3);
    DiversityKernels.Dims d = new DiversityKernels.Dims(3, 4, 9);
    float[] acts = activations(3, 36, -1);
    acts[36 + 7] = Float.NaN;
    Expected e = reference(acts, new float[acts.length], shape, 1.0);
    Actual r = onDevice(acts, new float[acts.length], d, 1.0);
    assertTrue(Double.isFinite(e.value()) && e.value() != 0, "CPU value " + e.value());
    assertEquals(e.value(), r.value(), 1e-5 * Math.abs(e.value()), "value");
    for (int b : ints(0, 2)) {
      KernelChecks.assertClose(
          KernelChecks.slice(e.seed(), b * 36, 36),
          KernelChecks.slice(r.seed(), b * 36, 36),
          1e-5,
          "sample " + b + " beside a NaN sample");
    }
  }

  @Test
  void convAndDenseLayersMatchTheCpu() {
    check(3, 5, ints(4, 4), -1, 1.0, 1e-5, "conv, independent samples");
    check(2, 3, ints(3, 11), -1, 2.5, 1e-5, "conv, two samples");
    check(4, 7, ints(), -1, 0.5, 1e-5, "dense");
    check(5, 20, ints(7, 7), -1, 1.0, 1e-5, "conv, Gram of 400 values (strided blocks)");
    check(2, 2, ints(5, 5), -1, 1.0, 1e-5, "two units (2 x 2 Gram matrices)");
  }

  @Test
  void nearlyIdenticalSamplesMatchTheCpu() {
    // Gram cosines near 1: dS/dG is the part of h orthogonal to g, a small difference of large
    // terms.
    check(3, 6, ints(5, 5), 0.2f, 1.0, 1e-4, "near-identical samples (spread 0.2)");
    check(4, 4, ints(3, 3), 0.05f, 3.0, 1e-4, "near-identical samples (spread 0.05)");
  }

  @Test
  void aBatchOfOneHasNoDiversityAndNoGradient() {
    DiversityKernels.Dims d = new DiversityKernels.Dims(1, 3, 4);
    float[] acts = activations(1, 12, -1);
    float[] seed = KernelChecks.uniform(rng, 12, -1f, 1f);
    Actual r = onDevice(acts, seed, d, 1.0);
    KernelChecks.assertExact(seed, r.seed(), "seed of a batch of one");
    assertEquals(0.0, r.value(), 0.0);
    assertEquals(0.0, reference(acts, seed, Shape.of(1, 3, 4), 1.0).value(), 0.0, "the CPU agrees");
  }

  @Test
  void identicalSamplesHaveTheLowestValue() {
    // Every pair has cosine 1: the value is -weight (DiversityTest's case, on the device).
    float[] one = activations(1, 24, -1);
    float[] acts = new float[3 * 24];
    for (int b = 0; b < 3; b++) System.arraycopy(one, 0, acts, b * 24, 24);
    Actual r = onDevice(acts, new float[acts.length], new DiversityKernels.Dims(3, 4, 6), 2.0);
    assertEquals(-2.0, r.value(), 1e-5);
    for (float g : r.seed())
      assertTrue(Math.abs(g) < 1e-4, "no gradient at the maximum of similarity: " + g);
  }

  @Test
  void badArgumentsAreRefusedInJava() {
    DiversityKernels.Dims d = new DiversityKernels.Dims(2, 3, 4);
    try (DeviceBuffer small = device.allocateFloats(23);
        DeviceBuffer ok = device.allocateFloats(24);
        DiversityKernels.Scratch s = new DiversityKernels.Scratch(device, d)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> DiversityKernels.addGradient(device, d, small, ok, s, 1),
          "activations too small");
      assertThrows(
          IllegalArgumentException.class,
          () -> DiversityKernels.addGradient(device, d, ok, small, s, 1),
          "seed too small");
      assertThrows(
          IllegalArgumentException.class,
          () -> DiversityKernels.addGradient(device, d, ok, ok, s, 1),
          "seed and activations the same buffer");
    }
    assertThrows(IllegalArgumentException.class, () -> new DiversityKernels.Dims(2, 0, 4));
  }
}
