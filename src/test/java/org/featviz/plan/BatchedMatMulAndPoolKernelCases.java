package org.featviz.plan;

import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.plan.PlanTesting.compare;
import static org.featviz.plan.PlanTesting.graph;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Two lowerings through {@link DeviceExecutor} against {@link org.featviz.cpu.CpuExecutor}, forward
 * and input gradients of every operand: MatMul over batch dimensions with numpy broadcasting
 * (strided-batched GEMMs, stride 0 for a broadcast operand, whose gradient sums over the batch),
 * and MaxPool / AveragePool that cuDNN cannot pool (dilated windows, padding wider than a max
 * window), which run the pool kernels of cuda/pool.cu.
 */
public abstract class BatchedMatMulAndPoolKernelCases extends DeviceCases {
  private final Random rng = new Random(59);

  private Tensor x(int... dims) {
    return random(Shape.of(dims), rng, -1f, 1f);
  }

  private void matMul(Tensor a, Tensor b, long seed) {
    compare(
        device,
        graph().input("a", a).input("b", b).node("MatMul", List.of("a", "b"), "y", Map.of()),
        List.of("y"),
        DevicePlanOpsCases.REDUCTION,
        1e-5,
        seed);
  }

  @Test
  void matMulWithTheSameBatchOnBothSides() {
    matMul(x(3, 4, 5), x(3, 5, 2), 1);
    matMul(x(2, 3, 4, 5), x(2, 3, 5, 2), 2);
  }

  @Test
  void matMulWithABroadcastOperand() {
    matMul(x(3, 4, 5), x(5, 2), 3); // a weight shared by the batch: its gradient sums over it
    matMul(x(4, 5), x(3, 5, 2), 4); // A shared
    matMul(x(2, 3, 4, 5), x(3, 5, 2), 5); // B shared by the outer batch dim
    matMul(x(2, 1, 4, 5), x(1, 3, 5, 2), 6); // each operand broadcast along another dim
    matMul(x(3, 1, 4, 5), x(3, 2, 5, 2), 7); // A broadcast along the inner batch dim
  }

  @Test
  void matMulWithVectorsAndUnitDims() {
    matMul(x(5), x(2, 3, 5, 4), 8);
    matMul(x(2, 3, 4, 5), x(5), 9);
    matMul(x(1, 3, 4, 5), x(1, 1, 5, 2), 10);
  }

  private void pool(String op, Tensor in, Map<String, Object> attrs, long seed) {
    compare(
        device,
        graph().input("x", in).node(op, List.of("x"), "y", attrs),
        List.of("y"),
        DevicePlanOpsCases.REDUCTION,
        1e-6,
        seed);
  }

  @Test
  void dilatedPoolingRunsThePoolKernels() {
    Map<String, Object> a =
        Map.of(
            "kernel_shape",
            longs(2, 3),
            "dilations",
            longs(2, 2),
            "strides",
            longs(1, 2),
            "pads",
            longs(1, 0, 0, 2));
    pool("MaxPool", x(2, 3, 8, 9), a, 11);
    pool("AveragePool", x(2, 3, 8, 9), a, 12);
    Map<String, Object> ceil =
        Map.of(
            "kernel_shape",
            longs(3, 3),
            "dilations",
            longs(2, 2),
            "strides",
            longs(2, 2),
            "pads",
            longs(1, 1, 1, 1),
            "ceil_mode",
            1L,
            "count_include_pad",
            1L);
    pool("AveragePool", x(1, 2, 10, 9), ceil, 13);
    pool("MaxPool", x(2, 2, 11), Map.of("kernel_shape", longs(3), "dilations", longs(3)), 14);
    pool(
        "MaxPool",
        x(1, 2, 5, 6, 7),
        Map.of("kernel_shape", longs(2, 2, 2), "dilations", longs(2, 1, 2)),
        15);
  }

  @Test
  void maxPoolingWithPaddingAsWideAsTheWindow() {
    pool(
        "MaxPool",
        x(1, 2, 5, 4),
        Map.of("kernel_shape", longs(2, 2), "pads", longs(2, 2, 2, 3)),
        16);
  }
}
