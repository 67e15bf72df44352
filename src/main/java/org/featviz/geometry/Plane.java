package org.featviz.geometry;

import java.util.Arrays;

/**
 * A plane (or a line, where {@code v} is null) through a vector space: the points {@code anchor + s
 * u + t v} with orthonormal directions {@code u}, {@code v}, seen over the view {@code s in [sMin,
 * sMax]}, {@code t in [tMin, tMax]}. The view is square in the plane's own units, so a picture of
 * it is not distorted.
 */
public record Plane(
    float[] anchor, float[] u, float[] v, double sMin, double sMax, double tMin, double tMax) {

  public Plane {
    if (u.length != anchor.length || (v != null && v.length != anchor.length)) {
      throw new IllegalArgumentException("plane directions and anchor differ in dimension");
    }
    if (!(sMax > sMin) || (v != null && !(tMax > tMin))) {
      throw new IllegalArgumentException("empty view " + sMin + ".." + sMax);
    }
  }

  /** True for a line (one direction). */
  public boolean isLine() {
    return v == null;
  }

  public int dimension() {
    return anchor.length;
  }

  /** The point at plane coordinates (s, t); t is ignored on a line. */
  public float[] point(double s, double t) {
    float[] p = new float[anchor.length];
    for (int i = 0; i < p.length; i++) {
      double x = anchor[i] + s * u[i] + (v == null ? 0 : t * v[i]);
      p[i] = (float) x;
    }
    return p;
  }

  /** The plane coordinates (s, t) of the point's projection onto the plane. */
  public double[] coordinates(float[] point) {
    double s = 0;
    double t = 0;
    for (int i = 0; i < point.length; i++) {
      double d = point[i] - anchor[i];
      s += d * u[i];
      if (v != null) t += d * v[i];
    }
    return new double[] {s, t};
  }

  /** Grid column {@code x} of {@code resolution} columns: the centre of its cell. */
  public double s(int x, int resolution) {
    return sMin + (x + 0.5) * (sMax - sMin) / resolution;
  }

  /** Grid row {@code y} of {@code resolution} rows, row 0 at the top (largest t). */
  public double t(int y, int resolution) {
    return tMax - (y + 0.5) * (tMax - tMin) / resolution;
  }

  /**
   * The plane spanned by two directions through an anchor, orthonormalized (Gram-Schmidt, {@code
   * d1} first), seen over {@code [-extent, extent]} in both coordinates.
   */
  public static Plane spanned(float[] anchor, float[] d1, float[] d2, double extent) {
    double[] u = unit(toDouble(d1), "the first direction");
    double[] w = toDouble(d2);
    double along = dot(w, u);
    for (int i = 0; i < w.length; i++) w[i] -= along * u[i];
    double[] v = unit(w, "the second direction (it is parallel to the first)");
    return new Plane(anchor, toFloat(u), toFloat(v), -extent, extent, -extent, extent);
  }

  /**
   * The line through an anchor along a direction (normalized), seen over {@code [-extent, extent]}.
   */
  public static Plane line(float[] anchor, float[] d, double extent) {
    return new Plane(
        anchor, toFloat(unit(toDouble(d), "the direction")), null, -extent, extent, 0, 1);
  }

  /**
   * The plane through three points, with {@code a} at (0, 0) and {@code b} on the positive s axis;
   * the view is the square around the three points' bounding box, widened by {@code margin} times
   * its larger side on every edge.
   */
  public static Plane through(float[] a, float[] b, float[] c, double margin) {
    Plane p = spanned(a, minus(b, a), minus(c, a), 1);
    double[] pb = p.coordinates(b);
    double[] pc = p.coordinates(c);
    double sLo = Math.min(0, Math.min(pb[0], pc[0]));
    double sHi = Math.max(0, Math.max(pb[0], pc[0]));
    double tLo = Math.min(0, Math.min(pb[1], pc[1]));
    double tHi = Math.max(0, Math.max(pb[1], pc[1]));
    double side = Math.max(sHi - sLo, tHi - tLo) * (1 + 2 * margin);
    double sMid = (sLo + sHi) / 2;
    double tMid = (tLo + tHi) / 2;
    return new Plane(
        a, p.u, p.v, sMid - side / 2, sMid + side / 2, tMid - side / 2, tMid + side / 2);
  }

  /** The line through two points, {@code a} at 0 and {@code b} at |b - a|, widened by margin. */
  public static Plane through(float[] a, float[] b, double margin) {
    float[] d = minus(b, a);
    double length = Math.sqrt(dot(toDouble(d), toDouble(d)));
    Plane p = line(a, d, 1);
    return new Plane(a, p.u, null, -margin * length, (1 + margin) * length, 0, 1);
  }

  static float[] minus(float[] a, float[] b) {
    float[] d = new float[a.length];
    for (int i = 0; i < d.length; i++) d[i] = a[i] - b[i];
    return d;
  }

  private static double[] unit(double[] d, String what) {
    double norm = Math.sqrt(dot(d, d));
    // A direction this short against float32 rounding has no meaningful orientation.
    if (!(norm > 1e-6)) throw new IllegalArgumentException(what + " has length 0");
    double[] u = new double[d.length];
    for (int i = 0; i < d.length; i++) u[i] = d[i] / norm;
    return u;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < d.length; i++) d[i] = f[i];
    return d;
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < f.length; i++) f[i] = (float) d[i];
    return f;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Plane p
        && Arrays.equals(anchor, p.anchor)
        && Arrays.equals(u, p.u)
        && Arrays.equals(v, p.v)
        && sMin == p.sMin
        && sMax == p.sMax
        && tMin == p.tMin
        && tMax == p.tMax;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(anchor) * 31 + Arrays.hashCode(u);
  }

  @Override
  public String toString() {
    return (isLine() ? "line" : "plane")
        + " in "
        + anchor.length
        + " dimensions, s "
        + sMin
        + ".."
        + sMax
        + (isLine() ? "" : ", t " + tMin + ".." + tMax);
  }
}
