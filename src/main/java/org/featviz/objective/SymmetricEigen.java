package org.featviz.objective;

/**
 * Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations: A = V diag(lambda) V^T
 * with V orthogonal. Each rotation zeroes one off-diagonal pair; sweeps repeat until the
 * off-diagonal mass is negligible. About 10 n^3 flops per sweep and a handful of sweeps: fine for
 * layer widths up to a few thousand, computed once.
 */
public final class SymmetricEigen {
  private static final int MAX_SWEEPS = 100;

  private final double[] values;
  private final double[][] vectors;

  private SymmetricEigen(double[] values, double[][] vectors) {
    this.values = values;
    this.vectors = vectors;
  }

  /** The eigenvalues, unsorted; eigenvalue k belongs to column k of {@link #vectors()}. */
  public double[] values() {
    return values.clone();
  }

  /** V [n][n]: column k (vectors()[i][k] over i) is the unit eigenvector of eigenvalue k. */
  public double[][] vectors() {
    double[][] copy = new double[vectors.length][];
    for (int i = 0; i < vectors.length; i++) copy[i] = vectors[i].clone();
    return copy;
  }

  /**
   * Decomposes a symmetric matrix (only checked to be square; the upper triangle is mirrored in).
   */
  public static SymmetricEigen of(double[][] matrix) {
    int n = matrix.length;
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      if (matrix[i].length != n)
        throw new IllegalArgumentException("matrix is not square: row " + i);
      for (int j = i; j < n; j++) {
        a[i][j] = matrix[i][j];
        a[j][i] = matrix[i][j];
      }
    }
    double[][] v = new double[n][n];
    for (int i = 0; i < n; i++) v[i][i] = 1;

    double total = 0;
    for (double[] row : a) for (double x : row) total += x * x;
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      double off = 0;
      for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
      if (off <= 1e-30 * total || off == 0) break;
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          if (a[p][q] != 0) rotate(a, v, p, q);
        }
      }
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) values[i] = a[i][i];
    return new SymmetricEigen(values, v);
  }

  /** A <- J^T A J and V <- V J for the rotation J in plane (p, q) that makes A[p][q] zero. */
  private static void rotate(double[][] a, double[][] v, int p, int q) {
    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
    // t = tan of the rotation angle: the smaller root of t^2 + 2 theta t - 1 = 0, for stability.
    double t =
        Math.abs(theta) > 1e150
            ? 1 / (2 * theta)
            : (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
    double c = 1 / Math.sqrt(t * t + 1);
    double s = t * c;
    int n = a.length;
    for (int k = 0; k < n; k++) {
      double kp = a[k][p];
      double kq = a[k][q];
      a[k][p] = c * kp - s * kq;
      a[k][q] = s * kp + c * kq;
    }
    for (int k = 0; k < n; k++) {
      double pk = a[p][k];
      double qk = a[q][k];
      a[p][k] = c * pk - s * qk;
      a[q][k] = s * pk + c * qk;
    }
    a[p][q] = 0; // exactly zero in exact arithmetic; drop the rounding residue
    a[q][p] = 0;
    for (int k = 0; k < n; k++) {
      double kp = v[k][p];
      double kq = v[k][q];
      v[k][p] = c * kp - s * kq;
      v[k][q] = s * kp + c * kq;
    }
  }
}
