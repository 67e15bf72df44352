package org.featviz.device;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bounds of a TF32 convolution or GEMM against the same computation in FP32, one definition for
 * the emulator, the binding fake and a GPU. TF32 reads each operand of a product with a 10-bit
 * mantissa and accumulates in FP32. Rounded to nearest, an operand is off by at most t = 2^-11 of
 * itself; a tensor core may instead truncate (toward zero), off by at most 2^-10 and always toward
 * zero, so the errors of same-signed products add up: about twice the error, and biased (about
 * -2^-10 of the result where all products are positive). Hence:
 *
 * <pre>
 * upper, per element: |tf32 - fp32| <= (2 t + t^2 + 2 K 2^-24) S,   t = 2^-10, S = sum over the K products of |a||b|
 *     (the most either kind of operand cut can move a product, plus both results' FP32 accumulation);
 * upper, overall:     ||tf32 - fp32|| / ||fp32|| <= {@value #CEILING}  (L2 norms; measured on random operands in
 *     [-1, 1), K = 576: 2.6e-4 rounding, 6.8e-4 truncating, 2.1e-3 for bfloat16 operands; about 1e-3 is what
 *     truncation gives at worst, where all products share a sign);
 * lower, overall:     ||tf32 - fp32|| / ||fp32|| >= {@value #FLOOR}   (FP32 against FP32 by another summation
 *     order: 4e-7): below it TF32 never engaged, which a test of the TF32 mode must report, not pass.
 * </pre>
 */
public final class Tf32Check {
  /** The relative L2 difference below which TF32 cannot have engaged. */
  public static final double FLOOR = 2e-5;

  /** The relative L2 difference above which more than TF32's operand cut is at work. */
  public static final double CEILING = 2e-3;

  private Tf32Check() {}

  /**
   * Checks a TF32 result against the FP32 one; {@code absProducts[i]} is S for element i (for a
   * blend alpha op + beta C: |alpha| S + |beta C|) and {@code k} the number of products per
   * element. Returns the relative L2 difference. NaN or infinity anywhere fails.
   */
  public static double check(float[] fp32, float[] tf32, float[] absProducts, int k, String what) {
    if (fp32.length != tf32.length || fp32.length != absProducts.length)
      fail(what + ": lengths differ");
    double perProduct = 2 * 0x1p-10 + 0x1p-20 + 2.0 * k * 0x1p-24;
    double diff2 = 0;
    double norm2 = 0;
    for (int i = 0; i < fp32.length; i++) {
      if (!Float.isFinite(fp32[i]) || !Float.isFinite(tf32[i])) {
        fail(what + ": element " + i + " is " + fp32[i] + " in FP32, " + tf32[i] + " in TF32");
      }
      double d = (double) tf32[i] - fp32[i];
      if (Math.abs(d) > perProduct * absProducts[i] + Float.MIN_NORMAL) {
        fail(
            String.format(
                "%s: element %d differs by %.3g, more than TF32 operands can move it (%.3g of the sum of"
                    + " |products| %.3g)",
                what, i, Math.abs(d), perProduct, absProducts[i]));
      }
      diff2 += d * d;
      norm2 += (double) fp32[i] * fp32[i];
    }
    double relative = Math.sqrt(diff2 / norm2);
    System.out.printf(
        "TF32 vs FP32, %s: relative L2 difference %.3g (floor %.1g, ceiling %.1g)%n",
        what, relative, FLOOR, CEILING);
    if (!(relative >= FLOOR)) {
      fail(
          what
              + ": TF32 differs from FP32 by only "
              + relative
              + " (relative L2): TF32 never engaged (a GPU before"
              + " Ampere has no TF32; NVIDIA_TF32_OVERRIDE=0 disables it; or the library ran an FP32 algorithm)");
    }
    if (!(relative <= CEILING)) {
      fail(
          what
              + ": TF32 differs from FP32 by "
              + relative
              + " (relative L2), more than TF32 operands explain");
    }
    return relative;
  }

  /** |v| elementwise. */
  public static float[] abs(float[] v) {
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) r[i] = Math.abs(v[i]);
    return r;
  }
}
