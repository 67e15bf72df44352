package org.featviz.cpu;

import static org.featviz.cpu.OpTesting.assertExact;
import static org.featviz.cpu.OpTesting.forward;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.ir.DType;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.ConstantSpec;
import org.featviz.ops.OpContext;
import org.junit.jupiter.api.Test;

/**
 * Constant from each kind of value attribute; int64 values come out as floats, and stay int64 for
 * folding.
 */
class ConstantTest {
  @Test
  void tensorValue() {
    Tensor value = random(Shape.of(5, 5), new Random(131), -1f, 1f);
    Tensor y = forward(node("Constant", Map.of("value", value), 0, 1))[0];
    assertEquals(Shape.of(5, 5), y.shape());
    assertExact(value.data(), y.data(), "value");
  }

  @Test
  void scalarAndListAttributes() {
    assertValue(Map.of("value_float", 2.5f), Shape.scalar(), 2.5f);
    assertValue(Map.of("value_floats", new float[] {1f, -2f, 3.5f}), Shape.of(3), 1f, -2f, 3.5f);
    assertValue(Map.of("value_int", 7L), Shape.scalar(), 7f);
    assertValue(Map.of("value_ints", new long[] {4, -1, 0}), Shape.of(3), 4f, -1f, 0f);
    assertValue(
        Map.of("value", Tensor.ofLongs(Shape.of(2, 1), new long[] {3, 9})), Shape.of(2, 1), 3f, 9f);
  }

  @Test
  void int64ValuesStayExactForConstantFolding() {
    Node node = node("Constant", Map.of("value_ints", new long[] {1L << 40, -1}), 0, 1);
    Tensor v = ConstantSpec.value(new OpContext(node, List.of(), List.of(), 13));
    assertEquals(DType.INT64, v.dtype());
    assertArrayEquals(new long[] {1L << 40, -1}, v.longs());
  }

  @Test
  void backwardHasNothingToDo() {
    Node node = node("Constant", Map.of("value_float", 1f), 0, 1);
    Tensor[] out = forward(node);
    Tensor[] grad = {Tensor.scalar(1f)};
    CpuKernels.forNode(node, 13)
        .backward(new KernelCall(node, 13, new Tensor[0], out, grad, new Tensor[0]));
    assertEquals(1f, out[0].data()[0]);
  }

  @Test
  void missingOrDoubleValueNamesTheNode() {
    ModelException none =
        assertThrows(ModelException.class, () -> forward(node("Constant", Map.of(), 0, 1)));
    BroadcastIndexing.assertMessageNames(none, "Constant_test", "value");
    ModelException two =
        assertThrows(
            ModelException.class,
            () -> forward(node("Constant", Map.of("value_float", 1f, "value_int", 2L), 0, 1)));
    BroadcastIndexing.assertMessageNames(two, "Constant_test", "value_float", "value_int");
  }

  private static void assertValue(Map<String, Object> attrs, Shape shape, float... expected) {
    Tensor y = forward(node("Constant", attrs, 0, 1))[0];
    assertEquals(shape, y.shape(), attrs.keySet().toString());
    assertExact(expected, y.data(), attrs.keySet().toString());
  }
}
