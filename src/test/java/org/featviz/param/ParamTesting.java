package org.featviz.param;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/**
 * Shared checks for parameterization tests: finite-difference gradients and float64 inner products.
 */
final class ParamTesting {
  private ParamTesting() {}

  static float[] uniform(int n, Random rng, float lo, float hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.nextFloat();
    return v;
  }

  static float[] gaussian(int n, Random rng, double std) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (std * rng.nextGaussian());
    return v;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
    return s;
  }

  /**
   * Compares param.backward for L = sum(r * image) with central differences (L(p + eps) - L(p -
   * eps)) / (2 eps) on up to `samples` parameters (all when there are fewer), L accumulated in
   * float64.
   */
  static void checkGradient(
      ImageParam param, float[] params, long seed, double eps, double rtol, int samples) {
    Random rng = new Random(seed);
    int n = param.imageShape().size();
    float[] r = uniform(n, rng, -1f, 1f);
    float[] grad = new float[param.size()];
    param.backward(params, r, grad);
    float[] image = new float[n];
    int count = Math.min(samples, params.length);
    int checked = 0;
    for (int s = 0; s < count; s++) {
      int k = params.length <= samples ? s : rng.nextInt(params.length);
      float saved = params[k];
      params[k] = (float) (saved + eps);
      param.toImage(params, image);
      double plus = dot(image, r);
      params[k] = (float) (saved - eps);
      param.toImage(params, image);
      double minus = dot(image, r);
      params[k] = saved;
      double numeric = (plus - minus) / (2 * eps);
      double analytic = grad[k];
      double tol = 2e-4 + rtol * Math.max(Math.abs(numeric), Math.abs(analytic));
      if (Double.isNaN(analytic) || Math.abs(numeric - analytic) > tol) {
        fail(
            String.format(
                "%s: d L / d param[%d]: analytic %.6g, finite difference %.6g",
                param.describe(), k, analytic, numeric));
      }
      checked++;
    }
    assertTrue(checked > 0, "no parameter was checked");
  }
}
