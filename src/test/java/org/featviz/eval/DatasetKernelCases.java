package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.data.Dataset;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.device.DeviceTesting;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The dataset-pass kernels of cuda/dataset.cu against their CPU twins in {@link UnitResponses} on
 * fresh random activations, chunk by chunk: unit means (bit for bit), class means (a class without
 * images is NaN on both), unit means over the dataset, top-k with ties planted across chunks (equal
 * values, zeros, NaN) and percentiles at the data's own values, between them and outside. A NaN
 * activation must show as NaN in the results, never pass as a number.
 */
public abstract class DatasetKernelCases extends DeviceCases {
  private static final int CLASSES = 5;

  private final Random rng = new Random(4099);

  /** A dataset pass's device state for one layer of {@code units} over {@code images}. */
  private final class Pass implements AutoCloseable {
    final int images;
    final int units;
    final int k;
    final DeviceBuffer means;
    final DeviceBuffer sums;
    final DeviceBuffer totals;
    final DeviceBuffer counts;
    final DeviceBuffer topValues;
    final DeviceBuffer topImages;
    final List<DeviceBuffer> all = new ArrayList<>();

    Pass(int images, int units, int k) {
      this.images = images;
      this.units = units;
      this.k = k;
      means = keep(device.allocateFloats((long) images * units));
      sums = keep(device.allocate((long) units * CLASSES * Double.BYTES));
      totals = keep(device.allocate((long) units * Double.BYTES));
      counts = keep(device.allocateInts(CLASSES + 1));
      topValues = keep(device.allocateFloats((long) units * k));
      topImages = keep(device.allocateInts((long) units * k));
      device.memsetZero(sums);
      device.memsetZero(totals);
      device.memsetZero(counts);
      int[] empty = new int[units * k];
      Arrays.fill(empty, -1);
      device.copyToDevice(empty, topImages);
    }

    DeviceBuffer keep(DeviceBuffer b) {
      all.add(b);
      return b;
    }

    /** Runs the chunk's activations [n, units, positions] through the three chunk kernels. */
    void chunk(float[] acts, int[] labels, int n, int positions, int row0) {
      DeviceBuffer a = keep(device.toDevice(acts));
      DeviceBuffer l = keep(device.toDevice(labels));
      DatasetKernels.unitMeans(device, a, means, n, units, positions, row0);
      DatasetKernels.classSums(device, means, l, sums, totals, counts, n, units, CLASSES, row0);
      DatasetKernels.topkUpdate(device, means, topValues, topImages, n, units, k, row0);
    }

    double[] doubles(DeviceBuffer b, int count) {
      return DeviceTesting.copyToHostDoubles(device, b, count);
    }

    @Override
    public void close() {
      for (DeviceBuffer b : all) b.close();
    }
  }

  /** Acts [n, units, positions] uniform in [-1, 1]. */
  private float[] uniform(int size) {
    return DeviceTesting.uniform(rng, size, -1f, 1f);
  }

  @Test
  void unitMeansAreTheCpusBitForBit() {
    for (Shape s : List.of(Shape.of(7, 5, 3, 4), Shape.of(33, 300), Shape.of(2, 3, 1, 1))) {
      int n = s.dim(0);
      int units = s.dim(1);
      int positions = s.rank() <= 2 ? 1 : s.size(2, s.rank());
      float[] acts = uniform(s.size());
      acts[positions + 1 < acts.length ? positions : 0] =
          Float.NaN; // unit 1 of image 0 (or unit 0)
      float[][] cpu = UnitResponses.unitMeans(Tensor.of(s, acts.clone()));
      int row0 = 3;
      DeviceBuffer a = device.toDevice(acts);
      DeviceBuffer means = device.allocateFloats((long) (row0 + n) * units);
      try {
        DatasetKernels.unitMeans(device, a, means, n, units, positions, row0);
        float[] got = device.copyToHostFloats(means, (row0 + n) * units);
        for (int b = 0; b < n; b++) {
          for (int u = 0; u < units; u++) {
            float g = got[(row0 + b) * units + u];
            if (Float.floatToIntBits(cpu[b][u]) != Float.floatToIntBits(g))
              fail(s + " image " + b + " unit " + u + ": cpu " + cpu[b][u] + ", device " + g);
          }
        }
      } finally {
        a.close();
        means.close();
      }
    }
  }

  @Test
  void chunkedPassGivesTheCpusClassMeansTopKAndPercentiles() {
    int images = 150;
    int units = 37;
    int positions = 6;
    int chunk = 64;
    int k = 9;
    float[][] imageUnit = new float[images][];
    float[] acts = uniform(images * units * positions);
    // Ties across chunks: images 10, 70 and 140 copy image 5 (unit means equal); unit 5 is never
    // positive and is zero on images 100 (-0) and 20 (+0), its largest, tied (a double sum of -0
    // is +0); unit 4 is NaN on image 90.
    for (int copy : new int[] {10, 70, 140})
      System.arraycopy(
          acts, 5 * units * positions, acts, copy * units * positions, units * positions);
    for (int i = 0; i < images; i++)
      for (int p = 0; p < positions; p++) {
        int at = (i * units + 5) * positions + p;
        acts[at] = i == 100 ? -0f : i == 20 ? 0f : -Math.abs(acts[at]) - 1e-3f;
      }
    acts[(90 * units + 4) * positions + 2] = Float.NaN;
    // Unit 6 is constant: its top-k is the first k images.
    for (int i = 0; i < images; i++)
      for (int p = 0; p < positions; p++) acts[(i * units + 6) * positions + p] = 0.25f;
    int[] labels = new int[images];
    for (int i = 0; i < images; i++) labels[i] = rng.nextInt(CLASSES - 1); // class 4 has no image
    float[][] cpuMeans =
        UnitResponses.unitMeans(Tensor.of(Shape.of(images, units, positions), acts));
    float[][] unitImage = new float[units][images];
    for (int i = 0; i < images; i++)
      for (int u = 0; u < units; u++) unitImage[u][i] = cpuMeans[i][u];
    Dataset data =
        new Dataset(
            "random",
            Tensor.of(Shape.of(images, 1, 1, 1), new float[images]),
            labels,
            List.of("a", "b", "c", "d", "e"));
    UnitResponses cpu = UnitResponses.of(data, images, Map.of("l", unitImage));

    try (Pass pass = new Pass(images, units, k)) {
      for (int from = 0; from < images; from += chunk) {
        int n = Math.min(chunk, images - from);
        pass.chunk(
            Arrays.copyOfRange(acts, from * units * positions, (from + n) * units * positions),
            Arrays.copyOfRange(labels, from, from + n),
            n,
            positions,
            from);
      }
      int[] counts = device.copyToHostInts(pass.counts, CLASSES + 1);
      assertEquals(0, counts[CLASSES], "no label is out of range");
      double[] sums = pass.doubles(pass.sums, units * CLASSES);
      double[] totals = pass.doubles(pass.totals, units);
      float[] topValues = device.copyToHostFloats(pass.topValues, units * k);
      int[] top = device.copyToHostInts(pass.topImages, units * k);
      float[] cpuUnitMeans = cpu.unitMeans("l");
      for (int u = 0; u < units; u++) {
        double[] expected = cpu.classMeans("l", u);
        double[] got = new double[CLASSES];
        for (int c = 0; c < CLASSES; c++)
          got[c] = counts[c] == 0 ? Double.NaN : sums[u * CLASSES + c] / counts[c];
        DatasetKernelChecks.assertClose(expected, got, 1e-5, "unit " + u + " class means");
        DatasetKernelChecks.assertClose(
            new double[] {cpuUnitMeans[u]},
            new double[] {(float) (totals[u] / images)},
            1e-5,
            "unit " + u + " mean");
        assertArrayEquals(
            cpu.topImages("l", u, k),
            Arrays.copyOfRange(top, u * k, u * k + k),
            "unit " + u + " top-k");
        float[] v = cpu.topValues("l", u, k);
        for (int j = 0; j < k; j++)
          assertEquals(
              Float.floatToIntBits(v[j]),
              Float.floatToIntBits(topValues[u * k + j]),
              "unit " + u + " top value " + j);
      }
      assertTrue(Double.isNaN(cpu.classMeans("l", 0)[4]), "the empty class is NaN on the CPU too");
      assertEquals(90, top[4 * k], "NaN ranks first, as Float.compare ranks it");
      assertArrayEquals(
          new int[] {20, 100}, Arrays.copyOfRange(top, 5 * k, 5 * k + 2), "zeros tie");
      assertArrayEquals(
          new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, Arrays.copyOfRange(top, 6 * k, 7 * k));
      checkPercentiles(pass, cpu, unitImage);
    }
  }

  /** Percentiles at every value of some units, between them, outside, and at NaN. */
  private void checkPercentiles(Pass pass, UnitResponses cpu, float[][] unitImage) {
    List<Integer> qu = new ArrayList<>();
    List<Double> qv = new ArrayList<>();
    for (int u : new int[] {0, 3, 4, 6, pass.units - 1}) {
      for (int i = 0; i < pass.images; i += 7) {
        qu.add(u);
        qv.add((double) unitImage[u][i]);
        qu.add(u);
        qv.add(unitImage[u][i] + 1e-9); // between floats: compared as the double it is
      }
      for (double v : new double[] {-5, 5, 0, -0.0, Double.NaN, 0.25}) {
        qu.add(u);
        qv.add(v);
      }
    }
    int q = qu.size();
    int[] units = qu.stream().mapToInt(Integer::intValue).toArray();
    float[] values = new float[q];
    for (int i = 0; i < q; i++) values[i] = DeviceUnitResponses.floatThreshold(qv.get(i));
    DeviceBuffer bu = device.toDevice(units);
    DeviceBuffer bv = device.toDevice(values);
    DeviceBuffer bc = device.allocateInts(q);
    try {
      DatasetKernels.countBelow(device, pass.means, bu, bv, bc, pass.images, pass.units, q);
      int[] below = device.copyToHostInts(bc, q);
      for (int i = 0; i < q; i++) {
        assertEquals(
            cpu.percentile("l", units[i], qv.get(i)),
            (double) below[i] / pass.images,
            "unit " + units[i] + " at " + qv.get(i));
      }
    } finally {
      bu.close();
      bv.close();
      bc.close();
    }
  }

  @Test
  void labelsOutOfRangeAndUnitsOutOfRangeShow() {
    try (Pass pass = new Pass(4, 3, 2)) {
      pass.chunk(uniform(4 * 3), new int[] {0, -1, CLASSES, 2}, 4, 1, 0);
      int[] counts = device.copyToHostInts(pass.counts, CLASSES + 1);
      assertEquals(2, counts[CLASSES], "two labels outside 0..K-1");
      assertEquals(1, counts[0]);
      DeviceBuffer bu = device.toDevice(new int[] {3, -1, 1});
      DeviceBuffer bv = device.toDevice(new float[] {0f, 0f, 2f});
      DeviceBuffer bc = device.allocateInts(3);
      try {
        DatasetKernels.countBelow(device, pass.means, bu, bv, bc, 4, 3, 3);
        assertArrayEquals(new int[] {-1, -1, 4}, device.copyToHostInts(bc, 3));
      } finally {
        bu.close();
        bv.close();
        bc.close();
      }
      assertThrows(
          IllegalArgumentException.class,
          () ->
              DatasetKernels.topkUpdate(
                  device, pass.means, pass.topValues, pass.topImages, 4, 3, 65, 0));
      assertThrows(
          IllegalArgumentException.class,
          () -> DatasetKernels.unitMeans(device, pass.means, pass.means, 4, 3, 2, 0),
          "activations of 4 x 3 x 2 floats do not fit a buffer of 12");
    }
  }
}
