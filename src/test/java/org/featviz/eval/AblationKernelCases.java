package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ablation kernels of cuda/ablation.cu against their CPU twins in {@link Ablation} on fresh
 * random inputs: the masked batch bit for bit (conv-like and dense layers, masks with no unit, some
 * and every unit, slices after set0), and the scores' correct counts exactly and loss sums within
 * 1e-12 (exp and log in double may differ by an ulp between the device's math library and Java's),
 * accumulated over two chunks, with planted ties (the first maximum wins), a NaN score (NaN loss,
 * never a number) and a label out of range. The loss of a row of equal scores is checked against
 * the closed form ln(C).
 */
public abstract class AblationKernelCases extends DeviceCases {
  private final Random rng = new Random(7919);
  private final List<DeviceBuffer> buffers = new ArrayList<>();

  @AfterEach
  void free() {
    for (DeviceBuffer b : buffers) b.close();
    buffers.clear();
  }

  private DeviceBuffer keep(DeviceBuffer b) {
    buffers.add(b);
    return b;
  }

  private float[] uniform(int size) {
    return DeviceTesting.uniform(rng, size, -4f, 4f);
  }

  @Test
  void maskedUnitsAreTheCpusBitForBit() {
    // n, units, positions, sets, set0
    int[][] cases = {{7, 5, 12, 3, 2}, {33, 300, 1, 4, 0}, {1, 2, 1, 1, 5}, {5, 16, 49, 2, 1}};
    for (int[] c : cases) {
      int n = c[0];
      int units = c[1];
      int positions = c[2];
      int sets = c[3];
      int set0 = c[4];
      int rows = set0 + sets;
      int[] masks = new int[rows * units];
      for (int i = 0; i < masks.length; i++)
        masks[i] = rng.nextInt(3) == 0 ? 1 + rng.nextInt(5) : 0;
      for (int u = 0; u < units; u++) masks[set0 * units + u] = 0; // the intact network's slice
      if (sets > 1) for (int u = 0; u < units; u++) masks[(set0 + 1) * units + u] = 1; // all units
      float[] replace = uniform(units);
      replace[0] = -0f;
      float[] acts = uniform(sets * n * units * positions);
      acts[acts.length - 1] = Float.NaN;
      float[] cpu = acts.clone();
      Ablation.maskUnits(cpu, masks, replace, n, units, positions, sets, set0);
      DeviceBuffer a = keep(device.toDevice(acts));
      DeviceBuffer m = keep(device.toDevice(masks));
      DeviceBuffer r = keep(device.toDevice(replace));
      AblationKernels.maskUnits(device, a, m, r, n, units, positions, sets, set0);
      float[] got = device.copyToHostFloats(a, acts.length);
      for (int i = 0; i < got.length; i++) {
        if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(cpu[i]))
          fail(
              java.util.Arrays.toString(c)
                  + " element "
                  + i
                  + ": cpu "
                  + cpu[i]
                  + ", device "
                  + got[i]);
      }
      boolean changed = false;
      for (int i = 0; i < got.length; i++) changed |= got[i] != acts[i];
      assertTrue(changed, "some unit was replaced");
    }
  }

  @Test
  void scoresAreTheCpusOverTwoChunks() {
    int classes = 10;
    int sets = 5;
    int set0 = 2;
    int slots = set0 + sets;
    long[] cpuCorrect = new long[slots];
    double[] cpuLoss = new double[slots];
    DeviceBuffer correct = keep(device.allocateInts(slots));
    DeviceBuffer loss = keep(device.allocate((long) slots * Double.BYTES));
    device.memsetZero(correct);
    device.memsetZero(loss);
    int[] chunkSizes = {300, 37};
    DeviceBuffer scratch = keep(device.allocate((long) sets * 300 * Double.BYTES));
    for (int chunk = 0; chunk < chunkSizes.length; chunk++) {
      int n = chunkSizes[chunk];
      float[] scores = uniform(sets * n * classes);
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) labels[i] = rng.nextInt(classes);
      // Slice 0 predicts the label everywhere (ties: the label's class and a later one share the
      // maximum, the first one wins); slice 1 ties the label with an earlier class (it loses).
      for (int i = 0; i < n; i++) {
        int row0 = i * classes;
        scores[row0 + labels[i]] = 10f;
        if (labels[i] < classes - 1) scores[row0 + classes - 1] = 10f;
        int row1 = (n + i) * classes;
        scores[row1 + labels[i]] = 9f;
        if (labels[i] > 0) scores[row1] = 9f;
      }
      if (chunk == 1) {
        scores[(3 * n + 4) * classes + 2] = Float.NaN; // slice 3's loss becomes NaN
      }
      DeviceBuffer s = keep(device.toDevice(scores));
      DeviceBuffer l = keep(device.toDevice(labels));
      Ablation.score(scores, labels, cpuCorrect, cpuLoss, n, classes, sets, set0);
      AblationKernels.score(device, s, l, correct, loss, scratch, n, classes, sets, set0);
    }
    int[] got = device.copyToHostInts(correct, slots);
    double[] gotLoss = doubles(loss, slots);
    for (int j = 0; j < slots; j++) assertEquals(cpuCorrect[j], got[j], "correct of set " + j);
    assertEquals(0, got[0], "a slot before set0 is untouched");
    assertEquals(0.0, gotLoss[0], 0.0, "a slot before set0 is untouched");
    int images = chunkSizes[0] + chunkSizes[1];
    assertEquals(images, got[set0], "slice 0 predicts every label (the first maximum)");
    assertTrue(got[set0 + 1] < images, "slice 1 loses its ties to class 0");
    DatasetKernelChecks.assertClose(cpuLoss, gotLoss, 1e-12, "loss sums");
    assertTrue(Double.isNaN(gotLoss[set0 + 3]), "a NaN score makes its set's loss NaN");
  }

  @Test
  void aLabelOutOfRangeIsWrongWithANanLoss() {
    int classes = 4;
    int n = 3;
    float[] scores = {5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0};
    int[] labels = {0, 1, classes};
    long[] cpuCorrect = new long[1];
    double[] cpuLoss = new double[1];
    Ablation.score(scores, labels, cpuCorrect, cpuLoss, n, classes, 1, 0);
    DeviceBuffer correct = keep(device.allocateInts(1));
    DeviceBuffer loss = keep(device.allocate(Double.BYTES));
    device.memsetZero(correct);
    device.memsetZero(loss);
    AblationKernels.score(
        device,
        keep(device.toDevice(scores)),
        keep(device.toDevice(labels)),
        correct,
        loss,
        keep(device.allocate((long) n * Double.BYTES)),
        n,
        classes,
        1,
        0);
    assertEquals(2, cpuCorrect[0]);
    assertEquals(2, device.copyToHostInts(correct, 1)[0]);
    assertTrue(Double.isNaN(cpuLoss[0]));
    assertTrue(Double.isNaN(doubles(loss, 1)[0]));
  }

  @Test
  void lossSumsAreTheCpusAndTheClosedForm() {
    int classes = 7;
    int sets = 3;
    int n = 200;
    float[] scores = uniform(sets * n * classes);
    // Slice 2: equal scores, loss ln(7) per image whatever the label.
    for (int i = 2 * n * classes; i < scores.length; i++) scores[i] = 1.5f;
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) labels[i] = rng.nextInt(classes);
    long[] cpuCorrect = new long[sets];
    double[] cpuLoss = new double[sets];
    Ablation.score(scores, labels, cpuCorrect, cpuLoss, n, classes, sets, 0);
    DeviceBuffer s = keep(device.toDevice(scores));
    DeviceBuffer l = keep(device.toDevice(labels));
    DeviceBuffer correct = keep(device.allocateInts(sets));
    DeviceBuffer loss = keep(device.allocate((long) sets * Double.BYTES));
    DeviceBuffer scratch = keep(device.allocate((long) sets * n * Double.BYTES));
    device.memsetZero(correct);
    device.memsetZero(loss);
    AblationKernels.score(device, s, l, correct, loss, scratch, n, classes, sets, 0);
    int[] got = device.copyToHostInts(correct, sets);
    double[] gotLoss = doubles(loss, sets);
    long[] gotLong = new long[sets];
    for (int j = 0; j < sets; j++) gotLong[j] = got[j];
    assertArrayEquals(cpuCorrect, gotLong, "correct counts");
    DatasetKernelChecks.assertClose(cpuLoss, gotLoss, 1e-12, "loss sums");
    assertEquals(n * Math.log(classes), gotLoss[2], 1e-9 * n, "equal scores: ln(C) per image");
    int zeros = 0;
    for (int b : labels) zeros += b == 0 ? 1 : 0;
    assertEquals(zeros, got[2], "equal scores predict class 0 (the first maximum)");
  }

  @Test
  void tooSmallBuffersAreRefused() {
    DeviceBuffer small = keep(device.allocateFloats(4));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AblationKernels.maskUnits(device, small, small, small, 2, 3, 1, 1, 0));
    assertTrue(e.getMessage().startsWith("activations: buffer of 16 bytes"), e.getMessage());
  }

  private double[] doubles(DeviceBuffer b, int count) {
    return DeviceTesting.copyToHostDoubles(device, b, count);
  }
}
