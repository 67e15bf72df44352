package org.featviz.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.featviz.device.MathMode;
import org.junit.jupiter.api.Test;

/**
 * The device grid evaluation of sign-region maps ({@link DeviceRegions}, cuda/regions.cu) against
 * the CPU: the sign-pattern kernel bit for bit against its CPU twin {@link SignRegions#patterns} on
 * fresh random values with zeros, signed zeros, infinities and NaN planted; the coordinate kernel
 * exactly; and whole maps (GEMM plus kernels, in bands) against a CPU count in double precision
 * that shares no code with either, allowing a point to differ only for a unit within rounding of
 * its zero line.
 */
public abstract class DeviceRegionsCases extends DeviceCases {
  private final Random rng = new Random(4242);

  @Test
  void signPatternsMatchTheCpuTwinBitForBit() {
    for (int units : new int[] {1, 31, 32, 64, 65, 130, 200}) {
      int points = 37 + rng.nextInt(40);
      float[] v = new float[points * units];
      for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
      float[] planted = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
      for (int k = 0; k < v.length / 7 + 1; k++) {
        v[rng.nextInt(v.length)] = planted[rng.nextInt(planted.length)];
      }
      int words = (units + 63) / 64;
      long[] hashA = new long[points];
      long[] hashB = new long[points];
      long[] signs = new long[points * words];
      SignRegions.patterns(v, points, units, 0, hashA, hashB, signs);
      try (DeviceBuffer values = device.toDevice(v);
          DeviceBuffer hashes = device.allocateInts(4L * points);
          DeviceBuffer bits = device.allocateInts(2L * points * words)) {
        device.launch(
            "sign_patterns",
            Dim3.of((points + 7) / 8),
            Dim3.of(256),
            0,
            new KernelArgs()
                .ptr(values)
                .i32(points)
                .i32(units)
                .ptr(hashes)
                .ptr(hashes, 8L * points)
                .ptr(bits)
                .i32(1));
        int[] h = device.copyToHostInts(hashes, 4 * points);
        int[] b = device.copyToHostInts(bits, 2 * points * words);
        assertArrayEquals(hashA, longs(h, 0, points), units + " units: hash a");
        assertArrayEquals(hashB, longs(h, 2 * points, points), units + " units: hash b");
        assertArrayEquals(signs, longs(b, 0, points * words), units + " units: pattern words");
      }
    }
  }

  @Test
  void gridPointsAreOneSAndT() {
    int width = 13;
    int rows = 5;
    int first = 3;
    float[] s = new float[width];
    float[] t = new float[first + rows];
    for (int i = 0; i < s.length; i++) s[i] = (float) rng.nextGaussian();
    for (int i = 0; i < t.length; i++) t[i] = (float) rng.nextGaussian();
    try (DeviceBuffer sb = device.toDevice(s);
        DeviceBuffer tb = device.toDevice(t);
        DeviceBuffer out = device.allocateFloats(3L * width * rows)) {
      device.launch(
          "plane_grid_points",
          Dim3.of((width * rows + 255) / 256),
          Dim3.of(256),
          0,
          new KernelArgs().ptr(sb).ptr(tb).ptr(out).i32(width).i32(first).i32(rows));
      float[] p = device.copyToHostFloats(out, 3 * width * rows);
      for (int y = 0; y < rows; y++) {
        for (int x = 0; x < width; x++) {
          int i = 3 * (y * width + x);
          assertArrayEquals(
              new float[] {1, s[x], t[first + y]}, new float[] {p[i], p[i + 1], p[i + 2]});
        }
      }
    }
  }

  /**
   * Random lines in the plane, evaluated on an odd-sized grid in bands of 7 rows (and in one band),
   * in TF32 mode too (the map must compute in FP32 whatever the mode): every point's pattern is the
   * double-precision one except for units within rounding of zero there, and the maps number their
   * regions alike.
   */
  @Test
  void mapsMatchADoublePrecisionCountInBands() {
    int m = 70;
    double[] c = new double[m];
    double[] a = new double[m];
    double[] b = new double[m];
    for (int u = 0; u < m; u++) {
      c[u] = rng.nextGaussian();
      a[u] = rng.nextGaussian();
      b[u] = rng.nextGaussian();
    }
    LayerRegions.PlaneUnits pu = new LayerRegions.PlaneUnits(c, a, b);
    Plane plane = Plane.spanned(new float[] {0, 0}, new float[] {1, 0}, new float[] {0, 1}, 3);
    int res = 61;
    for (MathMode mode : new MathMode[] {MathMode.FP32, MathMode.TF32}) {
      device.setMathMode(mode);
      for (int band : new int[] {7, res}) {
        List<Integer> bands = new ArrayList<>();
        RegionMap map = DeviceRegions.map(device, pu, plane, res, true, bands::add, band);
        assertEquals(res, bands.stream().mapToInt(Integer::intValue).sum(), "rows reported");
        assertEquals((res + band - 1) / band, bands.size(), "bands");
        assertEquals(mode, device.mathMode(), "the math mode is restored");
        int uncertain = 0;
        for (int y = 0; y < res; y++) {
          for (int x = 0; x < res; x++) {
            double s = plane.s(x, res);
            double t = plane.t(y, res);
            for (int u = 0; u < m; u++) {
              double z = c[u] + s * a[u] + t * b[u];
              double scale = Math.abs(c[u]) + Math.abs(s * a[u]) + Math.abs(t * b[u]);
              if (Math.abs(z) <= 1e-5 * scale) {
                uncertain++;
                continue;
              }
              assertEquals(
                  z > 0, map.positive(x, y, u), "unit " + u + " at (" + x + ", " + y + "): " + z);
            }
          }
        }
        assertTrue(uncertain < 10, "points within rounding of a zero line: " + uncertain);
        assertEquals(
            distinctPatterns(map), map.regions(), "one region per distinct pattern (no collision)");
        assertTrue(map.regions() > m, "the view holds many regions: " + map.regions());
      }
    }
    device.setMathMode(MathMode.FP32);
  }

  /** Tangent lines of the unit circle at 8 angles: 1 + 8 + 28 regions in a view holding them. */
  @Test
  void tangentLinesGiveTheGeneralPositionCount() {
    int m = 8;
    double[] c = new double[m];
    double[] a = new double[m];
    double[] b = new double[m];
    for (int k = 0; k < m; k++) {
      double theta = Math.PI * (k + 0.3) / m;
      a[k] = Math.cos(theta);
      b[k] = Math.sin(theta);
      c[k] = -1;
    }
    Plane plane = Plane.spanned(new float[2], new float[] {1, 0}, new float[] {0, 1}, 6);
    RegionMap map =
        DeviceRegions.map(
            device, new LayerRegions.PlaneUnits(c, a, b), plane, 512, false, n -> {}, 100);
    assertEquals(37, map.regions());
  }

  private static int distinctPatterns(RegionMap map) {
    java.util.Set<List<Long>> seen = new java.util.HashSet<>();
    int words = map.words();
    for (int p = 0; p < map.width() * map.height(); p++) {
      List<Long> key = new ArrayList<>();
      for (int w = 0; w < words; w++) key.add(map.signs()[p * words + w]);
      seen.add(key);
    }
    return seen.size();
  }

  private static long[] longs(int[] ints, int from, int count) {
    long[] out = new long[count];
    for (int i = 0; i < count; i++) {
      out[i] = (ints[from + 2 * i] & 0xffffffffL) | ((long) ints[from + 2 * i + 1] << 32);
    }
    return out;
  }
}
