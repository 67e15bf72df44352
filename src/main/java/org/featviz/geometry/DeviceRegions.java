package org.featviz.geometry;

import java.util.function.IntConsumer;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.KernelArgs;
import org.featviz.device.MathMode;
import org.featviz.device.OwnedBuffers;

/**
 * The region map of affine units on a grid over a plane, computed on a device: per band of grid
 * rows, one GEMM gives every unit at every point ({@code [P, 3]} coordinate rows {@code (1, s, t)}
 * times the {@code [3, U]} coefficients {@code c, a, b} of {@link LayerRegions.PlaneUnits}), and
 * cuda/regions.cu's sign_patterns turns the {@code [P, U]} values into each point's pattern hashes,
 * so only 16 bytes a point (and the pattern words where asked for) come back to the host, which
 * numbers the regions as {@link SignRegions} does. The GEMM runs in FP32 whatever the device's math
 * mode: TF32's 10-bit operands would move the zero lines.
 */
public final class DeviceRegions {
  private DeviceRegions() {}

  /** Floats of unit values a band may hold on the device (256 MiB). */
  static final long BAND_VALUES = 64L << 20;

  /** Grid points of one band at most. */
  static final int BAND_POINTS = 1 << 20;

  private static final int BLOCK = 256;

  private static final int WARPS_PER_BLOCK = BLOCK / 32;

  /**
   * The {@code resolution x resolution} region map of {@code units} over the plane's view, as
   * {@link LayerRegions#map} computes it on the CPU.
   *
   * @param keepSigns keep each point's pattern (at most {@link SignRegions#MAX_KEPT_UNITS} units)
   * @param onRows told how many grid rows each band held
   */
  public static RegionMap map(
      Device device,
      LayerRegions.PlaneUnits units,
      Plane plane,
      int resolution,
      boolean keepSigns,
      IntConsumer onRows) {
    if (plane.isLine())
      throw new IllegalArgumentException("a region map needs a plane, not a line");
    int m = units.c().length;
    if (keepSigns && m > SignRegions.MAX_KEPT_UNITS) {
      throw new IllegalArgumentException(
          m + " units: sign patterns are kept for at most " + SignRegions.MAX_KEPT_UNITS);
    }
    return map(
        device,
        units,
        plane,
        resolution,
        keepSigns,
        onRows,
        bandRows(resolution, m, device.freeMemoryBytes()));
  }

  /** As above, {@code band} grid rows at a time. */
  static RegionMap map(
      Device device,
      LayerRegions.PlaneUnits units,
      Plane plane,
      int resolution,
      boolean keepSigns,
      IntConsumer onRows,
      int band) {
    int m = units.c().length;
    int width = resolution;
    int words = (m + 63) / 64;
    band = Math.min(band, resolution);
    long[] hashA = new long[width * resolution];
    long[] hashB = new long[width * resolution];
    long[] signs = keepSigns ? new long[width * resolution * words] : null;
    float[] coefficients = new float[3 * m];
    for (int u = 0; u < m; u++) {
      coefficients[u] = (float) units.c()[u];
      coefficients[m + u] = (float) units.a()[u];
      coefficients[2 * m + u] = (float) units.b()[u];
    }
    float[] s = new float[width];
    float[] t = new float[resolution];
    for (int x = 0; x < width; x++) s[x] = (float) plane.s(x, resolution);
    for (int y = 0; y < resolution; y++) t[y] = (float) plane.t(y, resolution);
    int bandPoints = band * width;
    try (OwnedBuffers owned = new OwnedBuffers(device);
        Device.MathModeScope fp32 = device.withMathMode(MathMode.FP32)) {
      DeviceBuffer coef = owned.upload(coefficients);
      DeviceBuffer sBuf = owned.upload(s);
      DeviceBuffer tBuf = owned.upload(t);
      DeviceBuffer points = owned.floats(3L * bandPoints);
      DeviceBuffer values = owned.floats((long) bandPoints * m);
      DeviceBuffer hashes = owned.ints(4L * bandPoints);
      DeviceBuffer words64 = owned.ints(keepSigns ? 2L * bandPoints * words : 2);
      int[] hostHashes = new int[4 * bandPoints];
      int[] hostSigns = keepSigns ? new int[2 * bandPoints * words] : null;
      for (int from = 0; from < resolution; from += band) {
        int rows = Math.min(band, resolution - from);
        int n = rows * width;
        device.launch(
            "plane_grid_points",
            Dim3.of((n + BLOCK - 1) / BLOCK),
            Dim3.of(BLOCK),
            0,
            new KernelArgs().ptr(sBuf).ptr(tBuf).ptr(points).i32(width).i32(from).i32(rows));
        device
            .library()
            .gemm(new GemmDescriptor(false, false, n, m, 3), points, coef, values, 1f, 0f);
        device.launch(
            "sign_patterns",
            Dim3.of((n + WARPS_PER_BLOCK - 1) / WARPS_PER_BLOCK),
            Dim3.of(BLOCK),
            0,
            new KernelArgs()
                .ptr(values)
                .i32(n)
                .i32(m)
                .ptr(hashes)
                .ptr(hashes, 8L * bandPoints)
                .ptr(words64)
                .i32(keepSigns ? 1 : 0));
        device.copyToHost(hashes, 0, hostHashes, 0, 2 * n);
        device.copyToHost(hashes, 2L * bandPoints, hostHashes, 2 * bandPoints, 2 * n);
        int first = from * width;
        for (int p = 0; p < n; p++) {
          hashA[first + p] = join(hostHashes, 2 * p);
          hashB[first + p] = join(hostHashes, 2 * (bandPoints + p));
        }
        if (keepSigns) {
          device.copyToHost(words64, 0, hostSigns, 0, 2 * n * words);
          for (int i = 0; i < n * words; i++) signs[first * words + i] = join(hostSigns, 2 * i);
        }
        onRows.accept(rows);
      }
    }
    return SignRegions.number(width, resolution, m, hashA, hashB, signs);
  }

  /**
   * Grid rows per band: as many as fit {@link #BAND_VALUES} unit values, {@link #BAND_POINTS}
   * points and a quarter of the device's free memory, at least one.
   */
  static int bandRows(int width, int units, long freeBytes) {
    long perPoint = (long) units * Float.BYTES + 3 * Float.BYTES + 16 + 8L * ((units + 63) / 64);
    long points = Math.min(BAND_VALUES / units, BAND_POINTS);
    points = Math.min(points, Math.max(1, freeBytes / 4 / perPoint));
    return (int) Math.max(1, points / width);
  }

  /** The 64-bit value stored little-endian at ints {@code i, i + 1}. */
  private static long join(int[] ints, int i) {
    return (ints[i] & 0xffffffffL) | ((long) ints[i + 1] << 32);
  }
}
