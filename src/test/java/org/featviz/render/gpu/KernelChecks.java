package org.featviz.render.gpu;

import java.util.Random;
import org.featviz.cpu.OpTesting;
import org.featviz.ir.Shape;
import org.featviz.objective.LayerSlice;
import org.featviz.objective.SampleView;
import org.featviz.render.BatchSampleView;

/** Comparisons and inputs shared by the fused-kernel tests. */
final class KernelChecks {
  private KernelChecks() {}

  /**
   * |actual - expected| <= tol * (|expected| + max |expected|) element-wise: relative error with
   * the array's scale as the floor (elements near zero are compared at the precision of the large
   * ones). NaN never passes.
   */
  static void assertClose(float[] expected, float[] actual, double tol, String what) {
    double scale = 0;
    for (float e : expected) if (Float.isFinite(e)) scale = Math.max(scale, Math.abs(e));
    OpTesting.assertClose(expected, actual, tol, tol * scale + 1e-30, what);
  }

  /** Bitwise equality (identity transforms, pure multiplications); NaN never passes. */
  static void assertExact(float[] expected, float[] actual, String what) {
    OpTesting.assertClose(expected, actual, 0, 0, what);
  }

  /**
   * Sample b of a layer's activations [B, ...] as a CPU objective reads it, whatever layer it
   * names; its gradient goes into grad (same shape), added as the objectives add.
   */
  static SampleView sampleView(float[] acts, float[] grad, Shape layerShape, int b) {
    Shape sample = BatchSampleView.sampleShape(layerShape);
    int n = sample.size();
    return new SampleView() {
      @Override
      public LayerSlice activation(String layer) {
        return new LayerSlice(acts, b * n, sample);
      }

      @Override
      public LayerSlice gradient(String layer) {
        return new LayerSlice(grad, b * n, sample);
      }
    };
  }

  static float[] uniform(Random rng, int n, float lo, float hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.nextFloat();
    return v;
  }

  static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) d[i] = v[i];
    return d;
  }

  static float[] slice(float[] v, int from, int length) {
    float[] s = new float[length];
    System.arraycopy(v, from, s, 0, length);
    return s;
  }
}
