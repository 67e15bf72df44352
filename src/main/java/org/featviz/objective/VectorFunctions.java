package org.featviz.objective;

import java.util.Arrays;

/**
 * The per-position functions of the direction-like objectives, for an activation vector a and a
 * direction v (both length U), in float64. Norms are guarded: |a| is sqrt(a.a + EPS^2), so a zero
 * activation vector gives a cosine of 0 instead of NaN.
 */
final class VectorFunctions {
  /** Guard on vector norms in cosines. */
  static final double EPS = 1e-6;

  private VectorFunctions() {}

  /** f = a.v; df/da = v. */
  static VectorFunction dot(float[] direction) {
    double[] v = VectorMath.toDouble(direction);
    return new VectorFunction(
        v.length,
        (a, grad) -> {
          System.arraycopy(v, 0, grad, 0, v.length);
          return VectorMath.dot(a, v);
        });
  }

  /** f = c = a.v / (|a| |v|); df/da = v / (|a| |v|) - c a / |a|^2. */
  static VectorFunction cosine(float[] direction) {
    return dotCossim(direction, 0, 0, true);
  }

  /**
   * f = (a.v) * b^n with b = max(floor, c), c the cosine. Where c > floor: df/da = v b^n + (a.v) n
   * c^(n-1) dc/da; where the floor is active b is a constant, so df/da = v floor^n. With floor > 0
   * a negative cosine never flips the sign of the dot product.
   */
  static VectorFunction dotCossim(float[] direction, double n, double floor) {
    return dotCossim(direction, n, floor, false);
  }

  private static VectorFunction dotCossim(
      float[] direction, double n, double floor, boolean cosineOnly) {
    double[] v = VectorMath.toDouble(direction);
    double vNorm = Math.sqrt(VectorMath.dot(v, v) + EPS * EPS);
    return new VectorFunction(
        v.length,
        (a, grad) -> {
          double d = VectorMath.dot(a, v);
          double aNormSq = VectorMath.dot(a, a) + EPS * EPS;
          double aNorm = Math.sqrt(aNormSq);
          double c = d / (aNorm * vNorm);
          if (cosineOnly) {
            // dc/da = v / (|a| |v|) - c a / |a|^2
            for (int i = 0; i < v.length; i++)
              grad[i] = v[i] / (aNorm * vNorm) - c * a[i] / aNormSq;
            return c;
          }
          double b = Math.max(floor, c);
          double bn = Math.pow(b, n);
          // d (b^n) / dc: zero where the floor is active (b does not depend on a there) or where n
          // =
          // 0.
          double dbn = c > floor && n != 0 ? n * Math.pow(c, n - 1) : 0;
          for (int i = 0; i < v.length; i++) {
            double dc = v[i] / (aNorm * vNorm) - c * a[i] / aNormSq;
            grad[i] = v[i] * bn + d * dbn * dc;
          }
          return d * bn;
        });
  }

  /**
   * f = a.v - lambda |a - (a.u) u|^2 with u = v / |v|: the dot product minus a penalty on the part
   * of a orthogonal to v. |a - (a.u) u|^2 = a.a - (a.u)^2, so df/da = v - 2 lambda (a - (a.u) u).
   */
  static VectorFunction orthogonalPenalty(float[] direction, double lambda) {
    double[] v = VectorMath.toDouble(direction);
    double vNorm = Math.sqrt(VectorMath.dot(v, v));
    double[] u = new double[v.length];
    for (int i = 0; i < v.length; i++) u[i] = v[i] / vNorm;
    return new VectorFunction(
        v.length,
        (a, grad) -> {
          double s = VectorMath.dot(a, u);
          double orthogonalSq = Math.max(0, VectorMath.dot(a, a) - s * s);
          for (int i = 0; i < v.length; i++) grad[i] = v[i] - 2 * lambda * (a[i] - s * u[i]);
          return VectorMath.dot(a, v) - lambda * orthogonalSq;
        });
  }

  /** f = a[i] (a channel measured in a transformed space, such as a whitened one); df/da = e_i. */
  static VectorFunction component(int units, int index) {
    return new VectorFunction(
        units,
        (a, grad) -> {
          Arrays.fill(grad, 0);
          grad[index] = 1;
          return a[index];
        });
  }

  /**
   * inner measured in whitened space: f(a) = inner(z) with z = W (a - mu); df/da = W^T dinner/dz.
   */
  static VectorFunction whitened(Whitening whitening, VectorFunction inner) {
    int units = whitening.units();
    return new VectorFunction(
        units,
        (a, grad) -> {
          double[] z = new double[units]; // per call: one objective may serve several threads
          double[] gz = new double[units];
          whitening.whiten(a, z);
          double f = inner.apply(z, gz);
          whitening.transposeTimes(gz, grad);
          return f;
        });
  }
}
