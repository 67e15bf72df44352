package org.featviz.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.Attributes;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.Ops;

/**
 * Shared helpers for op tests: build a single node, run it forward through the CPU kernels, and
 * check its backward against central finite differences of L = sum(r * y) accumulated in float64.
 */
public final class OpTesting {
  public static final int OPSET = 13;

  private OpTesting() {}

  /** A node with inputs x0..x{inputs-1} and outputs y0..y{outputs-1}. */
  public static Node node(String op, Map<String, Object> attrs, int inputs, int outputs) {
    List<String> in = new ArrayList<>();
    for (int i = 0; i < inputs; i++) in.add("x" + i);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < outputs; i++) out.add("y" + i);
    return new Node(op + "_test", op, in, out, new Attributes(attrs));
  }

  /** {@code v} widened to long, as ONNX attributes hold it. */
  public static long[] widen(int[] v) {
    long[] l = new long[v.length];
    for (int i = 0; i < v.length; i++) l[i] = v[i];
    return l;
  }

  /**
   * Runs the op's backward at {@link #OPSET}: gradOut seeds the outputs, gradIn (null where not
   * wanted) receives the input gradients.
   */
  public static void backward(
      Node node, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOut, Tensor[] gradIn) {
    CpuKernels.forNode(node, OPSET)
        .backward(new KernelCall(node, OPSET, inputs, outputs, gradOut, gradIn));
  }

  public static Tensor[] forward(Node node, Tensor... inputs) {
    return forward(node, OPSET, inputs);
  }

  public static Tensor[] forward(Node node, int opset, Tensor... inputs) {
    KernelCall shapeCall = new KernelCall(node, opset, inputs, null, null, null);
    List<Shape> shapes = Ops.spec(node, opset).outputShapes(shapeCall.context());
    Tensor[] out = new Tensor[node.outputs().size()];
    for (int i = 0; i < out.length && i < shapes.size(); i++) out[i] = Tensor.zeros(shapes.get(i));
    CpuKernels.forNode(node, opset).forward(new KernelCall(node, opset, inputs, out, null, null));
    return out;
  }

  /** Zeros of the given shape. */
  public static Tensor zeros(int... dims) {
    return Tensor.zeros(Shape.of(dims));
  }

  /** Uniform random values in [lo, hi). */
  public static Tensor random(Shape shape, Random rng, float lo, float hi) {
    float[] v = new float[shape.size()];
    for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rng.nextFloat();
    return Tensor.of(shape, v);
  }

  /**
   * Random values at least `gap` apart from each other (a shuffled grid): max and ReLU kinks stay
   * out of reach.
   */
  public static Tensor distinct(Shape shape, Random rng, float gap) {
    int n = shape.size();
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (i - n / 2f) * gap + gap / 2;
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      float t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
    return Tensor.of(shape, v);
  }

  /**
   * Asserts |a - e| <= atol + rtol * |e| elementwise; NaN never passes. Reports the first
   * mismatches.
   */
  /** {@link #assertClose} with no tolerance: every element equal. */
  public static void assertExact(float[] expected, float[] actual, String what) {
    assertClose(expected, actual, 0, 0, what);
  }

  public static void assertClose(
      float[] expected, float[] actual, double rtol, double atol, String what) {
    if (expected.length != actual.length)
      fail(what + ": length " + actual.length + " != " + expected.length);
    StringBuilder errors = new StringBuilder();
    int bad = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      boolean ok =
          !Double.isNaN(a) && !Double.isNaN(e) && Math.abs(a - e) <= atol + rtol * Math.abs(e);
      if (!ok && bad++ < 10)
        errors.append(String.format("%n  [%d] expected %.7g, got %.7g", i, e, a));
    }
    if (bad > 0) fail(what + ": " + bad + " of " + expected.length + " elements differ" + errors);
  }

  /** {@link #checkGradient} for an op with one input, checked with respect to it. */
  public static void checkGradient(Node node, Tensor x, long seed, double eps, double rtol) {
    checkGradient(node, OPSET, x, seed, eps, rtol);
  }

  /** The same at another opset. */
  public static void checkGradient(
      Node node, int opset, Tensor x, long seed, double eps, double rtol) {
    checkGradient(node, opset, new Tensor[] {x}, new boolean[] {true}, seed, eps, rtol);
  }

  /**
   * Checks the op's backward: for each input i with wrt[i], compares call.gradIn(i) for the seed r
   * with the central difference (L(x + eps) - L(x - eps)) / (2 eps) on up to 60 sampled elements.
   */
  public static void checkGradient(
      Node node, Tensor[] inputs, boolean[] wrt, long seed, double eps, double rtol) {
    checkGradient(node, OPSET, inputs, wrt, seed, eps, rtol);
  }

  public static void checkGradient(
      Node node, int opset, Tensor[] inputs, boolean[] wrt, long seed, double eps, double rtol) {
    Random rng = new Random(seed);
    Tensor[] out = forward(node, opset, inputs);
    Tensor[] r = new Tensor[out.length];
    for (int i = 0; i < out.length; i++)
      if (out[i] != null) r[i] = random(out[i].shape(), rng, -1f, 1f);
    Tensor[] gradIn = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) if (wrt[i]) gradIn[i] = Tensor.zeros(inputs[i].shape());
    CpuKernels.forNode(node, opset).backward(new KernelCall(node, opset, inputs, out, r, gradIn));

    int checked = 0;
    for (int i = 0; i < inputs.length; i++) {
      if (!wrt[i]) continue;
      float[] x = inputs[i].data();
      int samples = Math.min(60, x.length);
      for (int s = 0; s < samples; s++) {
        int k = x.length <= 60 ? s : rng.nextInt(x.length);
        float saved = x[k];
        x[k] = (float) (saved + eps);
        double plus = loss(forward(node, opset, inputs), r);
        x[k] = (float) (saved - eps);
        double minus = loss(forward(node, opset, inputs), r);
        x[k] = saved;
        double numeric = (plus - minus) / (2 * eps);
        double analytic = gradIn[i].data()[k];
        double tol = 1e-3 + rtol * Math.max(Math.abs(numeric), Math.abs(analytic));
        if (Double.isNaN(analytic) || Math.abs(numeric - analytic) > tol) {
          fail(
              String.format(
                  "%s: d loss / d input %d [%d]: analytic %.6g, finite difference %.6g",
                  node.opType(), i, k, analytic, numeric));
        }
        checked++;
      }
    }
    assertTrue(checked > 0, "no gradient element was checked");
  }

  private static double loss(Tensor[] out, Tensor[] r) {
    double sum = 0;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == null) continue;
      float[] y = out[i].data();
      float[] w = r[i].data();
      for (int j = 0; j < y.length; j++) sum += (double) y[j] * w[j];
    }
    return sum;
  }
}
