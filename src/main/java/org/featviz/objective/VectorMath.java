package org.featviz.objective;

import org.featviz.ir.ModelException;

/** Small float64 helpers on the vectors that objectives take as arguments. */
final class VectorMath {
  private VectorMath() {}

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
    return s;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) d[i] = v[i];
    return d;
  }

  /**
   * Checks a direction argument: present, finite and not all zeros (a zero direction has no
   * meaning).
   */
  static float[] checkedDirection(String what, float[] v) {
    if (v == null || v.length == 0) throw new ModelException(what + ": the vector is empty");
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i]))
        throw new ModelException(what + ": vector value " + i + " is " + v[i]);
    }
    if (dot(v, v) == 0) throw new ModelException(what + ": the vector is all zeros");
    return v.clone();
  }
}
