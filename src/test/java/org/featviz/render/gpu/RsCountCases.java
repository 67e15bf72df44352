package org.featviz.render.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.featviz.analysis.RepresentativeSubstitution;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.eval.UnitResponses;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The Representative Substitution counts of cuda/objective.cu (objective_channel_rs,
 * objective_iam_rs, objective_neuron_rs and objective_rs_count) against the CPU twin, {@link
 * RepresentativeSubstitution#of} on {@link UnitResponses#unitMeans}, on fresh random activations
 * with ties planted on purpose (units equal to the target and to each other), a layer whose units
 * are all equal, a dead (all-zero) target among dead units, and non-finite means. The counting
 * launches must give the value and gradient of the plain launch bit for bit, and write the counts
 * of exactly the samples they are asked for.
 */
public abstract class RsCountCases extends DeviceCases {
  /** What a count never is: a sample not written keeps it. */
  private static final int UNWRITTEN = 0x5eed;

  private static final Shape[] SHAPES = {
    Shape.of(5, 7, 4, 5), Shape.of(4, 300), Shape.of(3, 40, 3, 3)
  };

  private final Random rng = new Random(1811);

  private enum Kernel {
    CHANNEL,
    IAM,
    NEURON,
    ALONE
  }

  /** A batch of activations and what each sample's launch and count target. */
  private record Batch(Shape shape, float[] acts, int[] units, int[] positions, int[] rsUnits) {
    TargetLayer layer() {
      return TargetLayer.of(shape);
    }
  }

  /**
   * Random activations in [-1, 1] with, in each sample b, two units equal to the target unit
   * units[b] (the same values in the same order, so equal means) and a pair of other units equal to
   * each other.
   */
  private Batch planted(Shape shape) {
    TargetLayer l = TargetLayer.of(shape);
    int batch = l.batch();
    int c = l.units();
    int p = l.positions();
    float[] acts = KernelChecks.uniform(rng, (int) l.size(), -1f, 1f);
    int[] units = new int[batch];
    int[] positions = new int[batch];
    for (int b = 0; b < batch; b++) {
      units[b] = rng.nextInt(c);
      positions[b] = rng.nextInt(p);
      int[] others = otherUnits(c, units[b], 4);
      copyUnit(acts, l, b, units[b], others[0]);
      copyUnit(acts, l, b, units[b], others[1]);
      copyUnit(acts, l, b, others[2], others[3]);
    }
    return new Batch(shape, acts, units, positions, units.clone());
  }

  /** n distinct units other than u. */
  private int[] otherUnits(int units, int u, int n) {
    int[] all = new int[units - 1];
    for (int j = 0, k = 0; j < units; j++) if (j != u) all[k++] = j;
    for (int i = all.length - 1; i > 0; i--) {
      int k = rng.nextInt(i + 1);
      int t = all[i];
      all[i] = all[k];
      all[k] = t;
    }
    return Arrays.copyOf(all, n);
  }

  private static void copyUnit(float[] acts, TargetLayer l, int b, int from, int to) {
    int base = b * l.sampleSize();
    System.arraycopy(
        acts, base + from * l.positions(), acts, base + to * l.positions(), l.positions());
  }

  /**
   * The twin's counts int[B, 2] for the samples the kernel is asked to count (the others
   * UNWRITTEN): above -1 where some mean of the sample is not finite (then ties are not compared:
   * set to the kernel's), else RepresentativeSubstitution.of on the CPU's unit means.
   */
  private static int[] expected(Kernel k, Batch in, int[] actual) {
    TargetLayer l = in.layer();
    float[][] means = UnitResponses.unitMeans(Tensor.of(in.shape(), in.acts()));
    int[] out = new int[2 * l.batch()];
    Arrays.fill(out, UNWRITTEN);
    for (int b = 0; b < l.batch(); b++) {
      int u = in.rsUnits()[b];
      boolean asked = u >= 0 && u < l.units() && (k == Kernel.ALONE || in.units()[b] == u);
      if (!asked) continue;
      boolean finite = true;
      for (float m : means[b]) finite &= Float.isFinite(m);
      if (!finite) {
        out[2 * b] = -1;
        out[2 * b + 1] = actual[2 * b + 1];
        continue;
      }
      RepresentativeSubstitution rs = RepresentativeSubstitution.of(means[b], u);
      out[2 * b] = rs.above();
      out[2 * b + 1] = rs.ties();
    }
    return out;
  }

  /**
   * Runs kernel k with counting on the batch and, for the objective kernels, the plain launch on
   * the same inputs, whose value and gradient must be the counting launch's bit for bit; returns
   * the counts int[B, 2].
   */
  private int[] run(Kernel k, Batch in) {
    TargetLayer l = in.layer();
    float[] grad0 = KernelChecks.uniform(rng, (int) l.size(), -1f, 1f);
    float[] value0 = KernelChecks.uniform(rng, l.batch(), -1f, 1f);
    int[] unwritten = new int[2 * l.batch()];
    Arrays.fill(unwritten, UNWRITTEN);
    try (DeviceBuffer acts = device.toDevice(in.acts());
        DeviceBuffer units = device.toDevice(in.units());
        DeviceBuffer positions = device.toDevice(in.positions());
        DeviceBuffer rsUnits = device.toDevice(in.rsUnits());
        DeviceBuffer counts = device.toDevice(unwritten);
        DeviceBuffer g = device.toDevice(grad0);
        DeviceBuffer v = device.toDevice(value0);
        DeviceBuffer gPlain = device.toDevice(grad0);
        DeviceBuffer vPlain = device.toDevice(value0)) {
      ObjectiveKernels.RsCount rs = new ObjectiveKernels.RsCount(rsUnits, counts);
      switch (k) {
        case CHANNEL -> {
          ObjectiveKernels.channel(device, l, acts, units, g, v, 0.75f, rs);
          ObjectiveKernels.channel(device, l, acts, units, gPlain, vPlain, 0.75f);
        }
        case IAM -> {
          ObjectiveKernels.iam(device, l, acts, units, g, v, -1.5f, rs);
          ObjectiveKernels.iam(device, l, acts, units, gPlain, vPlain, -1.5f);
        }
        case NEURON -> {
          ObjectiveKernels.neuron(device, l, acts, units, positions, g, v, 2f, rs);
          ObjectiveKernels.neuron(device, l, acts, units, positions, gPlain, vPlain, 2f);
        }
        case ALONE -> ObjectiveKernels.rsCount(device, l, acts, rs);
      }
      String what = k + " on " + in.shape();
      assertArrayEquals(
          bits(device.copyToHostFloats(gPlain, (int) l.size())),
          bits(device.copyToHostFloats(g, (int) l.size())),
          what + ": gradient bit for bit that of the launch without the count");
      assertArrayEquals(
          bits(device.copyToHostFloats(vPlain, l.batch())),
          bits(device.copyToHostFloats(v, l.batch())),
          what + ": values bit for bit");
      int[] out = new int[2 * l.batch()];
      device.copyToHost(counts, 0, out, 0, out.length);
      return out;
    }
  }

  private static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
    return b;
  }

  @Test
  void countsEqualTheCpuTwinWithPlantedTies() {
    for (Shape shape : SHAPES) {
      for (Kernel k : Kernel.values()) {
        Batch in = planted(shape);
        int[] actual = run(k, in);
        assertArrayEquals(expected(k, in, actual), actual, k + " on " + shape + ": counts");
        for (int b = 0; b < shape.dim(0); b++) {
          assertTrue(actual[2 * b + 1] >= 2, k + " on " + shape + ": the planted ties of " + b);
        }
      }
    }
  }

  @Test
  void onlyTheSamplesAskedForAreCounted() {
    for (Shape shape : SHAPES) {
      for (Kernel k : Kernel.values()) {
        Batch in = planted(shape);
        int c = in.layer().units();
        int[] rsUnits = in.units().clone();
        rsUnits[0] = -1; // not asked
        rsUnits[1] = (rsUnits[1] + 1) % c; // asked of another unit than the launch's
        Batch asked = new Batch(shape, in.acts(), in.units(), in.positions(), rsUnits);
        int[] actual = run(k, asked);
        assertArrayEquals(expected(k, asked, actual), actual, k + " on " + shape);
        assertEquals(UNWRITTEN, actual[0], k + ": sample 0 was not asked");
        if (k != Kernel.ALONE) assertEquals(UNWRITTEN, actual[2], k + ": another unit's launch");
        else assertTrue(actual[2] >= 0, "the count alone counts the unit asked for");
      }
    }
  }

  @Test
  void aLayerOfEqualUnitsIsAllTiesAndADeadTargetTiesWithTheDeadUnits() {
    for (Shape shape : SHAPES) {
      TargetLayer l = TargetLayer.of(shape);
      for (Kernel k : Kernel.values()) {
        Batch in = planted(shape);
        float[] acts = in.acts();
        // Sample 0: every unit a copy of unit 0.
        for (int j = 1; j < l.units(); j++) copyUnit(acts, l, 0, 0, j);
        // Sample 1: ReLU-like, its target and three other units zero everywhere.
        int u = in.units()[1];
        int base = l.sampleSize();
        for (int i = 0; i < l.sampleSize(); i++) acts[base + i] = Math.abs(acts[base + i]);
        int[] dead = otherUnits(l.units(), u, 3);
        for (int j : new int[] {u, dead[0], dead[1], dead[2]}) {
          Arrays.fill(acts, base + j * l.positions(), base + (j + 1) * l.positions(), 0f);
        }
        int[] actual = run(k, in);
        assertArrayEquals(expected(k, in, actual), actual, k + " on " + shape);
        assertEquals(0, actual[0], k + ": all equal, none above");
        assertEquals(l.units() - 1, actual[1], k + ": all equal, all ties");
        assertEquals(3, actual[3], k + ": the dead target ties with the 3 dead units");
        assertEquals(l.units() - 4, actual[2], k + ": every live unit is above a dead one");
      }
    }
  }

  @Test
  void aNonFiniteMeanGivesNoCount() {
    for (Kernel k : Kernel.values()) {
      Shape shape = SHAPES[0];
      TargetLayer l = TargetLayer.of(shape);
      Batch in = planted(shape);
      int other = otherUnits(l.units(), in.units()[0], 1)[0];
      in.acts()[other * l.positions()] = Float.NaN; // sample 0: another unit NaN
      in.acts()[l.sampleSize() + in.units()[1] * l.positions()] = Float.POSITIVE_INFINITY;
      int[] actual = run(k, in);
      assertArrayEquals(expected(k, in, actual), actual, k.toString());
      assertEquals(-1, actual[0], k + ": a NaN unit");
      assertEquals(-1, actual[2], k + ": an infinite target");
      assertTrue(actual[4] >= 0, k + ": the finite sample is counted");
    }
  }

  @Test
  void badCountBuffersAreRefused() {
    Shape shape = SHAPES[1];
    TargetLayer l = TargetLayer.of(shape);
    try (DeviceBuffer acts = device.allocateFloats(l.size());
        DeviceBuffer units = device.allocateInts(l.batch());
        DeviceBuffer shortCounts = device.allocateInts(2L * l.batch() - 1);
        DeviceBuffer grad = device.allocateFloats(l.size());
        DeviceBuffer value = device.allocateFloats(l.batch())) {
      ObjectiveKernels.RsCount rs = new ObjectiveKernels.RsCount(units, shortCounts);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ObjectiveKernels.channel(device, l, acts, units, grad, value, 1f, rs));
      assertTrue(e.getMessage().startsWith("RS counts needs 8 ints"), e.getMessage());
      assertThrows(
          IllegalArgumentException.class, () -> ObjectiveKernels.rsCount(device, l, acts, rs));
    }
  }
}
