package org.featviz.cpu;

import static org.featviz.cpu.BroadcastIndexing.assertMessageNames;
import static org.featviz.cpu.BroadcastIndexing.ravel;
import static org.featviz.cpu.BroadcastIndexing.unravel;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.checkGradient;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Softmax along one axis (opset 13) and over the flattened tail (opset < 13), forward and gradient.
 */
class SoftmaxTest {
  private static final Shape X = Shape.of(2, 3, 4);

  @Test
  void specExample() {
    Tensor x = Tensor.of(Shape.of(1, 3), new float[] {-1, 0, 1});
    float[] expected = {0.09003058f, 0.24472848f, 0.66524094f};
    assertClose(
        expected,
        forward(node("Softmax", Map.of(), 1, 1), x)[0].data(),
        1e-6,
        0,
        "opset 13 default");
    assertClose(
        expected,
        forward(node("Softmax", Map.of(), 1, 1), 11, x)[0].data(),
        1e-6,
        0,
        "opset 11 default");
  }

  /**
   * Softmax of fresh random x [2, 3, 4] with each axis attribute, in an opset, against reference(x,
   * axis >= 0).
   */
  private static void assertEachAxis(
      int opset, long[] axes, Random rng, BiFunction<Tensor, Integer, float[]> reference) {
    for (long axis : axes) {
      Tensor x = random(X, rng, -3f, 3f);
      Tensor y = forward(node("Softmax", Map.of("axis", axis), 1, 1), opset, x)[0];
      assertClose(
          reference.apply(x, (int) (axis < 0 ? axis + 3 : axis)),
          y.data(),
          1e-6,
          1e-7,
          "axis " + axis);
    }
  }

  /** Softmax of fresh random x without an axis attribute, in an opset, against reference(x). */
  private static void assertDefaultAxis(
      int opset, Random rng, Function<Tensor, float[]> reference, String what) {
    Tensor x = random(X, rng, -3f, 3f);
    Tensor y = forward(node("Softmax", Map.of(), 1, 1), opset, x)[0];
    assertClose(reference.apply(x), y.data(), 1e-6, 1e-7, what);
  }

  @Test
  void opset13NormalizesAlongOneAxis() {
    Random rng = new Random(81);
    assertEachAxis(13, new long[] {0, 1, 2, -1, -3}, rng, SoftmaxTest::alongAxis);
    assertDefaultAxis(13, rng, x -> alongAxis(x, 2), "default axis -1");
  }

  @Test
  void beforeOpset13NormalizesTheFlattenedTail() {
    Random rng = new Random(82);
    assertEachAxis(11, new long[] {0, 1, 2, -1}, rng, SoftmaxTest::flattenedTail);
    assertDefaultAxis(1, rng, x -> flattenedTail(x, 1), "opset 1 default axis 1");
  }

  @Test
  void largeInputsStayFinite() {
    Tensor x = Tensor.of(Shape.of(1, 4), new float[] {10000, 10001, 10002, 10003});
    Tensor shifted = Tensor.of(Shape.of(1, 4), new float[] {0, 1, 2, 3});
    Node softmax = node("Softmax", Map.of(), 1, 1);
    assertClose(alongAxis(shifted, 1), forward(softmax, x)[0].data(), 1e-6, 0, "large inputs");
  }

  @Test
  void backwardMatchesFiniteDifferences() {
    Random rng = new Random(83);
    for (long axis : new long[] {0, 1, -1}) {
      Node softmax = node("Softmax", Map.of("axis", axis), 1, 1);
      checkGradient(softmax, 13, random(X, rng, -2f, 2f), rng.nextLong(), 3e-3, 1e-2);
      checkGradient(softmax, 11, random(X, rng, -2f, 2f), rng.nextLong(), 3e-3, 1e-2);
    }
  }

  @Test
  void axisOutOfRangeNamesTheNodeAndShape() {
    Node softmax = node("Softmax", Map.of("axis", 3L), 1, 1);
    ModelException e = assertThrows(ModelException.class, () -> forward(softmax, Tensor.zeros(X)));
    assertMessageNames(e, "Softmax_test", "axis 3", "[2, 3, 4]");
  }

  /** exp(x) / sum exp(x) over the elements that share every index but {@code axis}, in double. */
  private static float[] alongAxis(Tensor x, int axis) {
    Shape s = x.shape();
    float[] y = new float[s.size()];
    for (int e = 0; e < y.length; e++) {
      int[] idx = unravel(e, s);
      double sum = 0;
      for (int j = 0; j < s.dim(axis); j++) {
        idx[axis] = j;
        sum += Math.exp(x.data()[ravel(idx, s)]);
      }
      y[e] = (float) (Math.exp(x.data()[e]) / sum);
    }
    return y;
  }

  /**
   * The input seen as a matrix [dims before axis, dims from axis on], softmax over each row, in
   * double.
   */
  private static float[] flattenedTail(Tensor x, int axis) {
    int cols = x.shape().size(axis, x.shape().rank());
    return alongAxis(x.reshape(Shape.of(x.size() / cols, cols)), 1);
  }
}
