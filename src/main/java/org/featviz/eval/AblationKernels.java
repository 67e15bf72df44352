package org.featviz.eval;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;

/**
 * Launchers of the ablation kernels of cuda/ablation.cu, for a batch of {@code sets} slices of a
 * chunk's {@code n} images (slice j: the chunk with unit set {@code set0 + j} ablated): {@link
 * #maskUnits} replaces the ablated units of each slice in the layer's activations [sets * n, U, P],
 * and {@link #score} adds each slice's correct predictions and cross-entropy losses (in image
 * order) to the set's accumulators. The CPU twins are {@link Ablation#maskUnits} and {@link
 * Ablation#score}.
 *
 * <pre>
 * AblationKernels.maskUnits(device, acts, masks, replace, n, units, positions, sets, set0);
 * // ... the layers after the ablated one ...
 * AblationKernels.score(device, scores, labels, correct, loss, scratch, n, classes, sets, set0);
 * </pre>
 */
public final class AblationKernels {
  static final int BLOCK = 256;

  private AblationKernels() {}

  /**
   * acts[j * n + b, u, :] = replace[u] where masks[(set0 + j) * units + u] != 0, for j < sets.
   *
   * @param masks int[(set0 + sets) * units] at least
   * @param replace float[units]: 0 or each unit's dataset mean
   */
  public static void maskUnits(
      Device device,
      DeviceBuffer acts,
      DeviceBuffer masks,
      DeviceBuffer replace,
      int n,
      int units,
      int positions,
      int sets,
      int set0) {
    checkSets(n, sets, set0);
    if (units < 0 || positions < 1)
      throw new IllegalArgumentException(
          "units " + units + ", positions " + positions + ": units >= 0 and positions >= 1");
    require(acts, (long) sets * n * units * positions * Float.BYTES, "activations");
    require(masks, (long) (set0 + sets) * units * Integer.BYTES, "masks");
    require(replace, (long) units * Float.BYTES, "replacements");
    if (n == 0 || units == 0 || sets == 0) return;
    device.launch(
        "ablation_mask_units",
        Dim3.of(units, sets),
        Dim3.of(BLOCK),
        0,
        new KernelArgs()
            .ptr(acts)
            .ptr(masks)
            .ptr(replace)
            .i32(n)
            .i32(units)
            .i32(positions)
            .i32(set0));
  }

  /**
   * For each slice j < sets of {@code scores} [sets * n, classes]: adds its correct predictions to
   * correct[set0 + j] (ints) and its losses, in image order, to loss[set0 + j] (doubles).
   *
   * @param labels int[n], the chunk's labels (the same for every slice)
   * @param scratch at least sets * n doubles
   */
  public static void score(
      Device device,
      DeviceBuffer scores,
      DeviceBuffer labels,
      DeviceBuffer correct,
      DeviceBuffer loss,
      DeviceBuffer scratch,
      int n,
      int classes,
      int sets,
      int set0) {
    checkSets(n, sets, set0);
    if (classes < 1) throw new IllegalArgumentException("classes must be positive");
    require(scores, (long) sets * n * classes * Float.BYTES, "class scores");
    require(labels, (long) n * Integer.BYTES, "labels");
    require(correct, (long) (set0 + sets) * Integer.BYTES, "correct counts");
    require(loss, (long) (set0 + sets) * Double.BYTES, "loss sums");
    require(scratch, (long) sets * n * Double.BYTES, "scratch");
    if (n == 0 || sets == 0) return;
    device.launch(
        "ablation_score",
        Dim3.of(sets),
        Dim3.of(BLOCK),
        0,
        new KernelArgs()
            .ptr(scores)
            .ptr(labels)
            .ptr(correct)
            .ptr(loss)
            .ptr(scratch)
            .i32(n)
            .i32(classes)
            .i32(set0));
  }

  private static void checkSets(int n, int sets, int set0) {
    if (n < 0 || sets < 0 || set0 < 0)
      throw new IllegalArgumentException(
          "images " + n + ", sets " + sets + ", first set " + set0 + ": must not be negative");
    if (sets > 65_535)
      throw new IllegalArgumentException(sets + " sets in one launch: at most 65535");
  }

  private static void require(DeviceBuffer b, long bytes, String what) {
    if (b.bytes() < bytes)
      throw new IllegalArgumentException(
          what + ": buffer of " + b.bytes() + " bytes, needs " + bytes);
  }
}
