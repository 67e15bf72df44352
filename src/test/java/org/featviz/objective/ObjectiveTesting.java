package org.featviz.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.featviz.ir.Shape;

/**
 * Helpers for objective tests: a {@link SampleView} over plain float arrays, and gradient checks of
 * objectives, batch objectives and image regularizers against central finite differences
 * accumulated in float64.
 */
final class ObjectiveTesting {
  /** Slices start this far into their arrays and padding follows them, to catch offset bugs. */
  static final int PAD = 3;

  static final Shape CONV = Shape.of(4, 3, 3);
  static final Shape DENSE = Shape.of(6);

  private ObjectiveTesting() {}

  /** A sample view over per-layer arrays [PAD + size + PAD]; gradients start at zero. */
  static final class ArrayView implements SampleView {
    final Map<String, Shape> shapes = new LinkedHashMap<>();
    final Map<String, float[]> activations = new LinkedHashMap<>();
    final Map<String, float[]> gradients = new LinkedHashMap<>();

    ArrayView with(String layer, Shape shape, float[] values) {
      if (values.length != shape.size())
        throw new IllegalArgumentException(values.length + " values for " + shape);
      float[] a = new float[shape.size() + 2 * PAD];
      System.arraycopy(values, 0, a, PAD, values.length);
      shapes.put(layer, shape);
      activations.put(layer, a);
      gradients.put(layer, new float[a.length]);
      return this;
    }

    @Override
    public LayerSlice activation(String layer) {
      return new LayerSlice(array(activations, layer), PAD, shapes.get(layer));
    }

    @Override
    public LayerSlice gradient(String layer) {
      return new LayerSlice(array(gradients, layer), PAD, shapes.get(layer));
    }

    private static float[] array(Map<String, float[]> arrays, String layer) {
      float[] a = arrays.get(layer);
      if (a == null) throw new IllegalArgumentException("test view has no layer " + layer);
      return a;
    }

    /** The gradient of a layer without the padding. */
    float[] grad(String layer) {
      float[] g = gradients.get(layer);
      float[] out = new float[shapes.get(layer).size()];
      System.arraycopy(g, PAD, out, 0, out.length);
      return out;
    }

    void clearGradients() {
      for (float[] g : gradients.values()) java.util.Arrays.fill(g, 0f);
    }
  }

  /** A view with one layer of uniform random activations in [lo, hi). */
  static ArrayView randomView(String layer, Shape shape, Random rng, float lo, float hi) {
    return new ArrayView().with(layer, shape, uniform(shape.size(), rng, lo, hi));
  }

  static float[] uniform(int n, Random rng, float lo, float hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.nextFloat();
    return v;
  }

  static float[] gaussian(int n, Random rng) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
    return v;
  }

  /**
   * Uniform values in [lo, hi) with none closer than `margin` to `kink` (where |x - kink| has no
   * derivative).
   */
  static float[] awayFrom(float kink, float margin, int n, Random rng, float lo, float hi) {
    float[] v = uniform(n, rng, lo, hi);
    for (int i = 0; i < n; i++) {
      if (Math.abs(v[i] - kink) < margin) v[i] = kink + (v[i] >= kink ? margin : -margin);
    }
    return v;
  }

  /** {@link #checkGradient(Objective, ArrayView, long, double, double)} with eps and rtol 1e-3. */
  static void checkGradient(Objective objective, ArrayView view, long seed) {
    checkGradient(objective, view, seed, 1e-3, 1e-3);
  }

  /** The same on a random view in [-1, 1) of one layer, drawn with the seed of the check. */
  static void checkGradient(Objective objective, String layer, Shape shape, long seed) {
    checkGradient(objective, randomView(layer, shape, new Random(seed), -1, 1), seed);
  }

  /**
   * Checks objective.evaluate's gradient on every layer it reads: the gradient is ADDED (a random
   * background is put in first and subtracted after), nothing is written into the padding, the
   * value does not depend on the gradient buffers, and on up to 60 sampled elements per layer the
   * analytic gradient matches (f(x + eps) - f(x - eps)) / (actual step), within 1e-5 + rtol *
   * max(|numeric|, |analytic|).
   */
  static void checkGradient(
      Objective objective, ArrayView view, long seed, double eps, double rtol) {
    Random rng = new Random(seed);
    Map<String, float[]> background = new LinkedHashMap<>();
    for (String layer : objective.layers()) {
      float[] g = view.gradients.get(layer);
      float[] b = uniform(g.length, rng, -1, 1);
      System.arraycopy(b, 0, g, 0, g.length);
      background.put(layer, b);
    }
    double value = objective.evaluate(view);
    Map<String, float[]> analytic = new LinkedHashMap<>();
    for (String layer : objective.layers()) {
      float[] g = view.gradients.get(layer);
      float[] b = background.get(layer);
      for (int i = 0; i < g.length; i++) {
        boolean padding = i < PAD || i >= g.length - PAD;
        if (padding && g[i] != b[i])
          fail(objective.describe() + ": wrote into the padding of " + layer + " at " + i);
      }
      float[] a = new float[view.shapes.get(layer).size()];
      for (int i = 0; i < a.length; i++) a[i] = g[PAD + i] - b[PAD + i];
      analytic.put(layer, a);
    }
    view.clearGradients();
    assertEquals(
        value,
        objective.evaluate(view),
        1e-9 * (1 + Math.abs(value)),
        "value changed between calls");
    checkNumeric(
        objective.describe(),
        analytic,
        view,
        () -> {
          view.clearGradients();
          return objective.evaluate(view);
        },
        rng,
        eps,
        rtol);
  }

  /** The same check for a batch objective, over every element's view. */
  static void checkBatchGradient(
      BatchObjective objective, List<ArrayView> batch, long seed, double eps, double rtol) {
    Random rng = new Random(seed);
    List<SampleView> views = new ArrayList<>(batch);
    for (ArrayView v : batch) v.clearGradients();
    objective.evaluate(views);
    List<Map<String, float[]>> analytic = new ArrayList<>();
    for (ArrayView v : batch) {
      Map<String, float[]> a = new LinkedHashMap<>();
      for (String layer : objective.layers()) a.put(layer, v.grad(layer));
      analytic.add(a);
    }
    for (int b = 0; b < batch.size(); b++) {
      checkNumeric(
          objective.describe() + " element " + b,
          analytic.get(b),
          batch.get(b),
          () -> {
            for (ArrayView v : batch) v.clearGradients();
            return objective.evaluate(views);
          },
          rng,
          eps,
          rtol);
    }
  }

  private static void checkNumeric(
      String what,
      Map<String, float[]> analytic,
      ArrayView view,
      DoubleSupplier value,
      Random rng,
      double eps,
      double rtol) {
    int checked = 0;
    for (Map.Entry<String, float[]> e : analytic.entrySet()) {
      float[] x = view.activations.get(e.getKey());
      float[] grad = e.getValue();
      int samples = Math.min(60, grad.length);
      for (int s = 0; s < samples; s++) {
        int k = grad.length <= 60 ? s : rng.nextInt(grad.length);
        checked +=
            checkOne(
                what + " d/d " + e.getKey() + "[" + k + "]", x, PAD + k, grad[k], value, eps, rtol);
      }
    }
    assertTrue(checked > 0, what + ": no gradient element was checked");
  }

  /**
   * Checks an image regularizer's gradient on every element of a small image; also that it adds.
   */
  static void checkImageGradient(
      ImageRegularizer r, float[] image, Shape chw, double eps, double rtol) {
    float[] grad = new float[image.length];
    java.util.Arrays.fill(grad, 0.25f);
    double value = r.evaluate(image, chw, grad);
    float[] analytic = new float[image.length];
    for (int i = 0; i < image.length; i++) analytic[i] = grad[i] - 0.25f;
    float[] scratch = new float[image.length];
    assertEquals(value, r.evaluate(image, chw, scratch), 1e-12, "value changed between calls");
    for (int k = 0; k < image.length; k++) {
      checkOne(
          r.describe() + " d/d image[" + k + "]",
          image,
          k,
          analytic[k],
          () -> r.evaluate(image, chw, scratch),
          eps,
          rtol);
    }
  }

  private static int checkOne(
      String what,
      float[] x,
      int k,
      double analytic,
      DoubleSupplier value,
      double eps,
      double rtol) {
    float saved = x[k];
    float up = (float) (saved + eps);
    float down = (float) (saved - eps);
    x[k] = up;
    double plus = value.getAsDouble();
    x[k] = down;
    double minus = value.getAsDouble();
    x[k] = saved;
    double numeric = (plus - minus) / ((double) up - down);
    double tol = 1e-5 + rtol * Math.max(Math.abs(numeric), Math.abs(analytic));
    if (Double.isNaN(analytic) || Math.abs(numeric - analytic) > tol) {
      fail(String.format("%s: analytic %.7g, finite difference %.7g", what, analytic, numeric));
    }
    return 1;
  }
}
