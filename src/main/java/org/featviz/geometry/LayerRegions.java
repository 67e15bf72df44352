package org.featviz.geometry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.featviz.device.Device;

/**
 * A layer's units on a plane or a line of a {@link LayerSpace}: the region map of their sign
 * patterns on a grid, and along a line each unit's value and where it flips sign. Where the units
 * are affine on the space, three evaluations give each unit's {@code c + s a + t b} on the plane
 * and the grid costs no network pass; on the network's input every grid point is an image run
 * forward.
 */
public final class LayerRegions {
  private LayerRegions() {}

  /** Images per forward pass where the grid points are images. */
  static final int IMAGES_PER_PASS = 256;

  /** Unit u is {@code c[u] + s a[u] + t b[u]} at plane coordinates (s, t). */
  public record PlaneUnits(double[] c, double[] a, double[] b) {
    public double at(int u, double s, double t) {
      return c[u] + s * a[u] + t * b[u];
    }

    /** Whether unit u's zero line crosses the view: its sign differs between two corners. */
    public boolean crosses(int u, Plane view) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      double tMax = view.isLine() ? 0 : view.tMax();
      double tMin = view.isLine() ? 0 : view.tMin();
      for (double s : new double[] {view.sMin(), view.sMax()}) {
        for (double t : new double[] {tMin, tMax}) {
          double z = at(u, s, t);
          lo = Math.min(lo, z);
          hi = Math.max(hi, z);
        }
      }
      return lo <= 0 && hi > 0;
    }
  }

  /** A unit changing sign at line coordinate {@code s}. */
  public record Flip(int unit, double s) {}

  /**
   * Along a line: {@code samples} coordinates, the units' values there ({@code [samples][units]}),
   * the flips inside the view in order of s, and how many sign patterns the samples showed.
   */
  public record Profile(double[] s, float[] values, int units, List<Flip> flips, int segments) {}

  /**
   * The affine units' coefficients on a plane, from the units at the anchor and at one view-size
   * step along each direction (a step of the view's size keeps the differences well above
   * rounding).
   */
  public static PlaneUnits planeUnits(LayerSpace space, Plane plane) {
    if (!space.affine()) throw new IllegalStateException("the units are not affine on this space");
    double k =
        Math.max(
            1e-3,
            Math.max(
                Math.max(Math.abs(plane.sMin()), Math.abs(plane.sMax())),
                plane.isLine() ? 0 : Math.max(Math.abs(plane.tMin()), Math.abs(plane.tMax()))));
    int d = space.dimension();
    int n = plane.isLine() ? 2 : 3;
    float[] points = new float[n * d];
    System.arraycopy(plane.anchor(), 0, points, 0, d);
    System.arraycopy(plane.point(k, 0), 0, points, d, d);
    if (!plane.isLine()) System.arraycopy(plane.point(0, k), 0, points, 2 * d, d);
    float[] z = space.evaluate(points, n);
    int m = space.units();
    double[] c = new double[m];
    double[] a = new double[m];
    double[] b = new double[m];
    for (int u = 0; u < m; u++) {
      c[u] = z[u];
      a[u] = (z[m + u] - (double) z[u]) / k;
      b[u] = plane.isLine() ? 0 : (z[2 * m + u] - (double) z[u]) / k;
    }
    return new PlaneUnits(c, a, b);
  }

  /** The region map of a {@code resolution x resolution} grid over the plane's view, on the CPU. */
  public static RegionMap map(
      LayerSpace space, Plane plane, int resolution, boolean keepSigns, IntConsumer onRows) {
    return map(space, plane, resolution, keepSigns, onRows, null);
  }

  /**
   * The region map of a {@code resolution x resolution} grid over the plane's view; where the units
   * are affine and {@code device} is not null, the grid is evaluated there ({@link DeviceRegions}),
   * else on the CPU (or, for the input space, where the space evaluates).
   */
  public static RegionMap map(
      LayerSpace space,
      Plane plane,
      int resolution,
      boolean keepSigns,
      IntConsumer onRows,
      Device device) {
    if (plane.isLine())
      throw new IllegalArgumentException("a region map needs a plane, not a line");
    if (plane.dimension() != space.dimension()) {
      throw new IllegalArgumentException(
          "the plane has " + plane.dimension() + " dimensions, the space " + space.dimension());
    }
    int m = space.units();
    GridValues values;
    int perBand;
    if (space.affine() && device != null) {
      return DeviceRegions.map(
          device, planeUnits(space, plane), plane, resolution, keepSigns, onRows);
    }
    if (space.affine()) {
      PlaneUnits pu = planeUnits(space, plane);
      values = (from, to) -> affineRows(pu, plane, resolution, from, to);
      perBand = SignRegions.POINTS_PER_BAND;
    } else {
      values =
          (from, to) ->
              space.evaluate(gridPoints(plane, resolution, from, to), (to - from) * resolution);
      perBand = IMAGES_PER_PASS;
    }
    return SignRegions.map(values, resolution, resolution, m, keepSigns, perBand, onRows);
  }

  private static float[] affineRows(PlaneUnits pu, Plane plane, int resolution, int from, int to) {
    int m = pu.c().length;
    float[] v = new float[(to - from) * resolution * m];
    java.util.stream.IntStream.range(from, to)
        .parallel()
        .forEach(
            y -> {
              double t = plane.t(y, resolution);
              for (int x = 0; x < resolution; x++) {
                double s = plane.s(x, resolution);
                int o = ((y - from) * resolution + x) * m;
                for (int u = 0; u < m; u++) v[o + u] = (float) pu.at(u, s, t);
              }
            });
    return v;
  }

  private static float[] gridPoints(Plane plane, int resolution, int from, int to) {
    int d = plane.dimension();
    float[] p = new float[(to - from) * resolution * d];
    for (int y = from; y < to; y++) {
      for (int x = 0; x < resolution; x++) {
        float[] q = plane.point(plane.s(x, resolution), plane.t(y, resolution));
        System.arraycopy(q, 0, p, ((y - from) * resolution + x) * d, d);
      }
    }
    return p;
  }

  /**
   * The units along a line at {@code samples} evenly spaced coordinates of its view. Flips are
   * exact ({@code s = -c / a}) where the units are affine, and interpolated linearly between the
   * two samples around each change of sign otherwise.
   */
  public static Profile profile(LayerSpace space, Plane line, int samples) {
    if (!line.isLine()) throw new IllegalArgumentException("a profile needs a line");
    if (samples < 2) throw new IllegalArgumentException("a profile needs at least 2 samples");
    int m = space.units();
    double[] s = new double[samples];
    for (int i = 0; i < samples; i++) s[i] = line.s(i, samples);
    float[] values;
    List<Flip> flips = new ArrayList<>();
    if (space.affine()) {
      PlaneUnits pu = planeUnits(space, line);
      values = new float[samples * m];
      for (int i = 0; i < samples; i++) {
        for (int u = 0; u < m; u++) values[i * m + u] = (float) pu.at(u, s[i], 0);
      }
      for (int u = 0; u < m; u++) {
        if (pu.a()[u] == 0) continue;
        double at = -pu.c()[u] / pu.a()[u];
        if (at > line.sMin() && at < line.sMax()) flips.add(new Flip(u, at));
      }
    } else {
      values = new float[samples * m];
      for (int from = 0; from < samples; from += IMAGES_PER_PASS) {
        int to = Math.min(samples, from + IMAGES_PER_PASS);
        float[] p = new float[(to - from) * line.dimension()];
        for (int i = from; i < to; i++) {
          System.arraycopy(
              line.point(s[i], 0), 0, p, (i - from) * line.dimension(), line.dimension());
        }
        System.arraycopy(space.evaluate(p, to - from), 0, values, from * m, (to - from) * m);
      }
      for (int i = 1; i < samples; i++) {
        for (int u = 0; u < m; u++) {
          float z0 = values[(i - 1) * m + u];
          float z1 = values[i * m + u];
          if ((z0 > 0) != (z1 > 0)) {
            flips.add(new Flip(u, s[i - 1] + (s[i] - s[i - 1]) * z0 / ((double) z0 - z1)));
          }
        }
      }
    }
    flips.sort(java.util.Comparator.comparingDouble(Flip::s));
    float[] all = values;
    RegionMap segments =
        SignRegions.map(
            (from, to) -> java.util.Arrays.copyOfRange(all, from * samples * m, to * samples * m),
            samples,
            1,
            m,
            false);
    return new Profile(s, values, m, List.copyOf(flips), segments.regions());
  }

  /** The units whose sign differs between two points of the space, in unit order. */
  public static List<Integer> flippedBetween(LayerSpace space, float[] a, float[] b) {
    float[] both = new float[2 * space.dimension()];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    float[] z = space.evaluate(both, 2);
    int m = space.units();
    List<Integer> units = new ArrayList<>();
    for (int u = 0; u < m; u++) if ((z[u] > 0) != (z[m + u] > 0)) units.add(u);
    return units;
  }
}
