package org.featviz.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Comparisons of dataset-pass results with their CPU twins. */
public final class DatasetKernelChecks {
  private DatasetKernelChecks() {}

  /** Relative error below tol; NaN only where NaN is expected. */
  public static void assertClose(double[] expected, double[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      if (Double.isNaN(e) || Double.isNaN(a)) {
        if (Double.isNaN(e) != Double.isNaN(a))
          fail(what + " [" + i + "]: expected " + e + ", got " + a);
        continue;
      }
      if (Math.abs(a - e) > tol * Math.max(Math.abs(e), 1e-30))
        fail(what + " [" + i + "]: expected " + e + ", got " + a);
    }
  }
}
