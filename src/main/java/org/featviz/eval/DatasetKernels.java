package org.featviz.eval;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;

/**
 * Launchers of the dataset-pass kernels of cuda/dataset.cu: a chunk's activations [N, U, P] become
 * unit means in an image-major matrix [images, U] (rows from {@code row0}); from those rows the
 * per-class and total sums (doubles) and the class counts, each unit's top-k images, and the number
 * of images below a value. The CPU twins are {@link UnitResponses#unitMeans}, {@link
 * UnitResponses#classMeans}, {@link UnitResponses#topImages} and {@link UnitResponses#percentile}.
 *
 * <pre>
 * DatasetKernels.unitMeans(device, acts, means, n, units, positions, row0);
 * DatasetKernels.classSums(device, means, labels, sums, totals, counts, n, units, classes, row0);
 * DatasetKernels.topkUpdate(device, means, topValues, topImages, n, units, k, row0);
 * </pre>
 */
public final class DatasetKernels {
  /** The largest top-k list a unit keeps (one thread inserts into it per image). */
  public static final int MAX_K = 64;

  static final int BLOCK = 256;

  private DatasetKernels() {}

  /** means[row0 + b, u] = the spatial mean of acts[b, u, :] (summed in double, as the CPU). */
  public static void unitMeans(
      Device device,
      DeviceBuffer acts,
      DeviceBuffer means,
      int n,
      int units,
      int positions,
      int row0) {
    checkRows(n, units, row0);
    if (positions < 1) throw new IllegalArgumentException("positions must be positive");
    require(acts, (long) n * units * positions * Float.BYTES, "activations");
    require(means, (long) (row0 + n) * units * Float.BYTES, "unit means");
    if ((long) n * units == 0) return;
    long threads = (long) n * units;
    device.launch(
        "dataset_unit_means",
        Dim3.of(blocks(threads)),
        Dim3.of(BLOCK),
        0,
        new KernelArgs().ptr(acts).ptr(means).i32(n).i32(units).i32(positions).i32(row0));
  }

  /**
   * Adds rows row0..row0+n-1 of {@code means} into sums double[U, classes] by label (labels
   * int[n]), totals double[U], and counts int[classes + 1] (the last: labels out of range).
   */
  public static void classSums(
      Device device,
      DeviceBuffer means,
      DeviceBuffer labels,
      DeviceBuffer sums,
      DeviceBuffer totals,
      DeviceBuffer counts,
      int n,
      int units,
      int classes,
      int row0) {
    checkRows(n, units, row0);
    if (classes < 1) throw new IllegalArgumentException("classes must be positive");
    require(means, (long) (row0 + n) * units * Float.BYTES, "unit means");
    require(labels, (long) n * Integer.BYTES, "labels");
    require(sums, (long) units * classes * Double.BYTES, "class sums");
    require(totals, (long) units * Double.BYTES, "totals");
    require(counts, (long) (classes + 1) * Integer.BYTES, "class counts");
    if (n == 0 || units == 0) return;
    device.launch(
        "dataset_class_sums",
        Dim3.of(blocks(units)),
        Dim3.of(BLOCK),
        0,
        new KernelArgs()
            .ptr(means)
            .ptr(labels)
            .ptr(sums)
            .ptr(totals)
            .ptr(counts)
            .i32(n)
            .i32(units)
            .i32(classes)
            .i32(row0));
  }

  /**
   * Merges rows row0..row0+n-1 (images row0..) into each unit's top-k list: values float[U, k] and
   * images int[U, k], most first, image -1 in an empty slot (start them at -1).
   */
  public static void topkUpdate(
      Device device,
      DeviceBuffer means,
      DeviceBuffer values,
      DeviceBuffer images,
      int n,
      int units,
      int k,
      int row0) {
    checkRows(n, units, row0);
    checkK(k);
    require(means, (long) (row0 + n) * units * Float.BYTES, "unit means");
    require(values, (long) units * k * Float.BYTES, "top-k values");
    require(images, (long) units * k * Integer.BYTES, "top-k images");
    if (n == 0 || units == 0) return;
    device.launch(
        "dataset_topk_update",
        Dim3.of(blocks(units)),
        Dim3.of(BLOCK),
        0,
        new KernelArgs().ptr(means).ptr(values).ptr(images).i32(n).i32(units).i32(k).i32(row0));
  }

  /**
   * counts[q] = how many of the {@code imageCount} rows of {@code means} have unit queryUnits[q]
   * below queryValues[q]; -1 for a unit out of range.
   */
  public static void countBelow(
      Device device,
      DeviceBuffer means,
      DeviceBuffer queryUnits,
      DeviceBuffer queryValues,
      DeviceBuffer counts,
      int imageCount,
      int units,
      int queries) {
    checkRows(imageCount, units, 0);
    if (queries < 0) throw new IllegalArgumentException("queries must not be negative");
    require(means, (long) imageCount * units * Float.BYTES, "unit means");
    require(queryUnits, (long) queries * Integer.BYTES, "query units");
    require(queryValues, (long) queries * Float.BYTES, "query values");
    require(counts, (long) queries * Integer.BYTES, "counts");
    if (queries == 0) return;
    device.launch(
        "dataset_count_below",
        Dim3.of(queries),
        Dim3.of(BLOCK),
        0,
        new KernelArgs()
            .ptr(means)
            .ptr(queryUnits)
            .ptr(queryValues)
            .ptr(counts)
            .i32(imageCount)
            .i32(units)
            .i32(queries));
  }

  static void checkK(int k) {
    if (k < 1 || k > MAX_K)
      throw new IllegalArgumentException("top-k: k must be in 1.." + MAX_K + ", got " + k);
  }

  private static void checkRows(int n, int units, int row0) {
    if (n < 0 || units < 0 || row0 < 0)
      throw new IllegalArgumentException(
          "rows " + n + ", units " + units + ", first row " + row0 + ": must not be negative");
  }

  private static int blocks(long threads) {
    return (int) ((threads + BLOCK - 1) / BLOCK);
  }

  private static void require(DeviceBuffer b, long bytes, String what) {
    if (b.bytes() < bytes)
      throw new IllegalArgumentException(
          what + ": buffer of " + b.bytes() + " bytes, needs " + bytes);
  }
}
