package org.featviz.objective;

import java.util.Locale;

/**
 * Short readable text for a vector argument in describe(): "e3 of 64", "[0.5, -1, 2]" or "<64
 * values, norm 1>".
 */
final class VectorText {
  private VectorText() {}

  static String of(float[] v) {
    int nonZero = -1;
    int count = 0;
    for (int i = 0; i < v.length; i++) {
      if (v[i] != 0) {
        nonZero = i;
        count++;
      }
    }
    if (count == 1 && v[nonZero] == 1f) return "e" + nonZero + " of " + v.length;
    if (v.length <= 4) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < v.length; i++) b.append(i > 0 ? ", " : "").append(number(v[i]));
      return b.append(']').toString();
    }
    return "<" + v.length + " values, norm " + number(Math.sqrt(VectorMath.dot(v, v))) + ">";
  }

  /** A number with at most 4 significant digits and no trailing zeros: 0.1, -2, 1.235e-05. */
  static String number(double x) {
    String s = String.format(Locale.ROOT, "%.4g", x);
    if (s.contains("e")) return s;
    if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    return s;
  }
}
