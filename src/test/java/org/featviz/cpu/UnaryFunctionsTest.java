package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.distinct;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.UnsupportedOpException;
import org.junit.jupiter.api.Test;

/**
 * The UnaryFunction ops on the CPU: forward against the ONNX spec's examples, tabulated values and
 * closed forms written out here, backward against finite differences away from the kinks.
 */
class UnaryFunctionsTest {
  private static final Shape SHAPE = Shape.of(3, 4, 5);

  private static float[] unary(String op, Map<String, Object> attrs, float... x) {
    return forward(node(op, attrs, 1, 1), Tensor.of(Shape.of(x.length), x))[0].data();
  }

  /** f applied to x in double, rounded to float. */
  private static float[] map(float[] x, DoubleUnaryOperator f) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) y[i] = (float) f.applyAsDouble(x[i]);
    return y;
  }

  private static void checkAgainst(String op, Map<String, Object> attrs, DoubleUnaryOperator f) {
    float[] x = random(SHAPE, new Random(op.hashCode()), -4f, 4f).data();
    assertClose(map(x, f), unary(op, attrs, x), 1e-6, 1e-7, op);
  }

  @Test
  void erfMatchesTabulatedValues() {
    // erf to 16 digits (Abramowitz and Stegun, table 7.1, and its complement for large x)
    float[] x = {0f, 0.5f, 1f, -1.5f, 2f, 3f, -3.5f, 4f, 6f};
    double[] erf = {
      0,
      0.5204998778130465,
      0.8427007929497149,
      -0.9661051464753108,
      0.9953222650189527,
      0.9999779095030014,
      -0.9999992569016276,
      0.9999999845827421,
      1
    };
    float[] expected = new float[x.length];
    for (int i = 0; i < x.length; i++) expected[i] = (float) erf[i];
    assertClose(expected, unary("Erf", Map.of(), x), 1e-7, 0, "erf");
  }

  @Test
  void specExamples() {
    assertClose(
        new float[] {0.1f, 0.6f, 1f},
        unary("HardSigmoid", Map.of("alpha", 0.5f, "beta", 0.6f), -1, 0, 1),
        1e-6,
        0,
        "HardSigmoid");
    assertClose(
        new float[] {-1.2642411f, 0f, 1f},
        unary("Elu", Map.of("alpha", 2f), -1, 0, 1),
        1e-6,
        0,
        "Elu");
    assertClose(
        new float[] {-3.79272318f, 0f, 3f},
        unary("Selu", Map.of("alpha", 2f, "gamma", 3f), -1, 0, 1),
        1e-6,
        0,
        "Selu");
    assertClose(
        new float[] {0.31326166f, 0.69314718f, 1.31326163f},
        unary("Softplus", Map.of(), -1, 0, 1),
        1e-6,
        0,
        "Softplus");
    assertClose(new float[] {1, 2}, unary("Abs", Map.of(), -1, 2), 0, 0, "Abs");
    assertClose(new float[] {-4, 2}, unary("Neg", Map.of(), 4, -2), 0, 0, "Neg");
    assertClose(new float[] {1, 0, 3}, unary("Sqrt", Map.of(), 1, 0, 9), 0, 0, "Sqrt");
    assertClose(
        new float[] {0.25f, -2, 1}, unary("Reciprocal", Map.of(), 4, -0.5f, 1), 0, 0, "Reciprocal");
    assertClose(
        new float[] {0, 1, -2},
        unary("Log", Map.of(), 1, (float) Math.E, 0.13533528f),
        1e-6,
        0,
        "Log");
    Tensor base = Tensor.of(Shape.of(3), new float[] {1, 2, 3});
    float[] pow = forward(node("Pow", Map.of(), 2, 1), base, Tensor.scalar(2f))[0].data();
    assertClose(new float[] {1, 4, 9}, pow, 0, 0, "Pow");
  }

  @Test
  void forwardMatchesClosedForms() {
    checkAgainst("HardSigmoid", Map.of(), x -> Math.max(0, Math.min(1, 0.2f * (float) x + 0.5f)));
    checkAgainst("HardSwish", Map.of(), x -> x * Math.max(0, Math.min(1, x / 6 + 0.5)));
    checkAgainst("Exp", Map.of(), Math::exp);
    checkAgainst("Elu", Map.of(), x -> x >= 0 ? x : Math.exp(x) - 1);
    double a = 1.67326319217681884765625;
    double g = 1.05070102214813232421875;
    checkAgainst("Selu", Map.of(), x -> x > 0 ? g * x : g * (a * Math.exp(x) - a));
    checkAgainst("Softplus", Map.of(), x -> Math.log(Math.exp(x) + 1));
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    // A grid offset by half its step: never on a kink (0, +-2.5 for HardSigmoid, +-3 for HardSwish)
    Tensor x = distinct(SHAPE, new Random(51), 0.11f);
    checkGradient(node("Erf", Map.of(), 1, 1), x, 52, 1e-3, 1e-2);
    checkGradient(node("HardSigmoid", Map.of(), 1, 1), x, 53, 1e-2, 1e-2);
    checkGradient(
        node("HardSigmoid", Map.of("alpha", 0.3f, "beta", 0.4f), 1, 1), x, 54, 1e-3, 1e-2);
    checkGradient(node("HardSwish", Map.of(), 1, 1), x, 55, 1e-2, 1e-2);
    checkGradient(node("Exp", Map.of(), 1, 1), x, 56, 1e-3, 1e-2);
    checkGradient(node("Neg", Map.of(), 1, 1), x, 57, 1e-2, 1e-2);
    checkGradient(node("Abs", Map.of(), 1, 1), x, 58, 1e-2, 1e-2);
    checkGradient(node("Elu", Map.of("alpha", 0.7f), 1, 1), x, 59, 1e-3, 1e-2);
    checkGradient(node("Selu", Map.of(), 1, 1), x, 60, 1e-3, 1e-2);
    checkGradient(node("Softplus", Map.of(), 1, 1), x, 61, 1e-3, 1e-2);
    checkGradient(
        node("Sqrt", Map.of(), 1, 1), random(SHAPE, new Random(62), 0.2f, 3f), 63, 1e-3, 1e-2);
    checkGradient(
        node("Log", Map.of(), 1, 1), random(SHAPE, new Random(67), 0.5f, 3f), 68, 1e-3, 1e-2);
    checkGradient(
        node("Reciprocal", Map.of(), 1, 1),
        random(SHAPE, new Random(65), 0.5f, 3f),
        66,
        1e-3,
        1e-2);
  }

  @Test
  void powBackwardMatchesFiniteDifferences() {
    Node pow = node("Pow", Map.of(), 2, 1);
    Tensor positive = random(SHAPE, new Random(64), 0.3f, 2f);
    for (float e : new float[] {2f, 3f, 0.5f, -1.5f, 0f}) {
      checkGradient(
          pow,
          new Tensor[] {positive, Tensor.scalar(e)},
          new boolean[] {true, false},
          65,
          1e-3,
          1e-2);
    }
    Tensor signed = distinct(SHAPE, new Random(66), 0.05f);
    checkGradient(
        pow, new Tensor[] {signed, Tensor.scalar(3f)}, new boolean[] {true, false}, 67, 1e-3, 1e-2);
  }

  @Test
  void kinksTakeTheConventionOfReluAndClip() {
    Tensor at = Tensor.of(Shape.of(5), new float[] {0f, -2.5f, 2.5f, -3f, 3f});
    Tensor ones = Tensor.of(Shape.of(5), new float[] {1, 1, 1, 1, 1});
    String[] ops = {"Abs", "HardSigmoid", "HardSwish", "Elu", "Selu"};
    float sa = 1.67326319217681884765625f * 1.05070102214813232421875f;
    float[][] expected = {
      {0, -1, 1, -1, 1}, // Abs: sign(0) = 0 at 0
      {0.2f, 0, 0, 0, 0}, // HardSigmoid: none where the clamp sits on 0 (x = -2.5) or 1 (2.5)
      {0.5f, 0.5f - 2.5f / 3, 0.5f + 2.5f / 3, 0, 1}, // HardSwish: 0 at -3, 1 at 3
      {1, (float) Math.exp(-2.5), 1, (float) Math.exp(-3), 1}, // Elu: the x piece at 0
      {sa, sa * (float) Math.exp(-2.5), 1.0507010f, sa * (float) Math.exp(-3), 1.0507010f},
    };
    for (int k = 0; k < ops.length; k++) {
      Node n = node(ops[k], Map.of(), 1, 1);
      Tensor[] y = forward(n, at);
      Tensor dx = Tensor.zeros(at.shape());
      OpTesting.backward(n, new Tensor[] {at}, y, new Tensor[] {ones}, new Tensor[] {dx});
      assertClose(expected[k], dx.data(), 1e-6, 0, ops[k] + " at its kinks");
    }
  }

  @Test
  void powWithAnExponentThatIsNoConstantScalarIsRefusedNamingTheNode() {
    Node pow = node("Pow", Map.of(), 2, 1);
    Tensor x = Tensor.of(Shape.of(2), new float[] {1, 2});
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class,
            () -> forward(pow, x, Tensor.of(Shape.of(2), new float[] {1, 2})));
    assertTrue(e.getMessage().contains("Pow node 'Pow_test'"), e.getMessage());
    assertTrue(e.getMessage().contains("constant one-element exponent"), e.getMessage());
  }
}
