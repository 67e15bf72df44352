package org.featviz.plan;

import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.distinct;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.plan.PlanTesting.compare;
import static org.featviz.plan.PlanTesting.compareOp;
import static org.featviz.plan.PlanTesting.graph;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.cpu.Activations;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cpu.OpTesting;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Every op the device plan lowers, forward and input-gradient backward through {@link
 * DeviceExecutor} against {@link org.featviz.cpu.CpuExecutor} on fresh random inputs, including the
 * rewrites (asymmetric and ceil-mode padding as an explicit Pad, 1-D windows as 2-D) and aliasing
 * (Reshape, Flatten, Squeeze, Unsqueeze). Tolerances: relative 1e-5 for element-wise ops, 1e-4 for
 * convolutions, products and reductions, with an absolute floor of 1e-6 to 1e-5 for values of order
 * one. Run on the emulator (EmuTest$DevicePlanOps) and a GPU (GpuTest$DevicePlanOps).
 */
public abstract class DevicePlanOpsCases extends DeviceCases {
  static final double ELEMENTWISE = 1e-5;
  static final double REDUCTION = 1e-4;

  private final Random rng = new Random(1123);

  private Tensor x(int... dims) {
    return random(Shape.of(dims), rng, -1f, 1f);
  }

  /** Distinct values (see OpTesting.distinct) of the given shape, gap apart. */
  private Tensor distinct(float gap, int... dims) {
    return OpTesting.distinct(Shape.of(dims), rng, gap);
  }

  /** A Conv of x by w (and bias b where not null) to y, compared with REDUCTION and 1e-5. */
  private void compareConv(Tensor x, Tensor w, Tensor b, Map<String, Object> attrs, long seed) {
    PlanTesting.GraphBuilder g = graph().input("x", x).weight("w", w);
    List<String> in = b == null ? List.of("x", "w") : List.of("x", "w", "b");
    if (b != null) g.weight("b", b);
    compare(device, g.node("Conv", in, "y", attrs), List.of("y"), REDUCTION, 1e-5, seed);
  }

  private static long[] l(long... v) {
    return v;
  }

  @Test
  void conv2dWithPaddingStridesDilationsGroupsAndBias() {
    compareConv(
        x(2, 4, 7, 6),
        x(6, 2, 3, 3),
        x(6),
        Map.of("pads", l(1, 2, 1, 2), "strides", l(2, 1), "dilations", l(1, 2), "group", 2L),
        1);
  }

  @Test
  void convWithAsymmetricPaddingGoesThroughAnExplicitPad() {
    compareConv(
        x(1, 2, 6, 5),
        x(3, 2, 2, 3),
        null,
        Map.of("auto_pad", "SAME_UPPER", "strides", l(2, 2)),
        2);
    compareConv(x(1, 2, 6, 5), x(3, 2, 3, 3), null, Map.of("pads", l(0, 2, 1, 1)), 3);
  }

  @Test
  void conv1dAnd3d() {
    compareConv(x(2, 3, 9), x(4, 3, 3), x(4), Map.of("pads", l(1, 1), "strides", l(2)), 4);
    compareConv(x(1, 2, 4, 5, 4), x(2, 2, 2, 3, 2), null, Map.of("pads", l(1, 0, 1, 1, 0, 1)), 5);
  }

  @Test
  void maxPoolSymmetricAsymmetricCeilAnd1d() {
    Map<String, Object> padded =
        Map.of("kernel_shape", l(3, 3), "pads", l(1, 1, 1, 1), "strides", l(2, 2));
    compareOp(device, "MaxPool", distinct(0.01f, 2, 3, 7, 7), padded, ELEMENTWISE, 1e-6, 6);
    Map<String, Object> sameUpper =
        Map.of("kernel_shape", l(2, 3), "auto_pad", "SAME_UPPER", "strides", l(2, 2));
    compareOp(device, "MaxPool", distinct(0.01f, 1, 2, 6, 7), sameUpper, ELEMENTWISE, 1e-6, 7);
    Map<String, Object> ceil = Map.of("kernel_shape", l(3, 3), "strides", l(2, 2), "ceil_mode", 1L);
    compareOp(device, "MaxPool", distinct(0.01f, 1, 2, 7, 7), ceil, ELEMENTWISE, 1e-6, 8);
    Map<String, Object> oneD = Map.of("kernel_shape", l(2), "strides", l(2));
    compareOp(device, "MaxPool", distinct(0.01f, 2, 2, 9), oneD, ELEMENTWISE, 1e-6, 9);
  }

  @Test
  void averagePoolCountingPaddingOrNot() {
    Map<String, Object> counted =
        Map.of("kernel_shape", l(3, 3), "pads", l(1, 1, 1, 1), "count_include_pad", 1L);
    compareOp(device, "AveragePool", x(2, 3, 6, 6), counted, REDUCTION, 1e-6, 10);
    Map<String, Object> strided =
        Map.of("kernel_shape", l(3, 2), "pads", l(1, 1, 1, 1), "strides", l(2, 1));
    compareOp(device, "AveragePool", x(2, 3, 6, 6), strided, REDUCTION, 1e-6, 11);
    Map<String, Object> asymmetric =
        Map.of("kernel_shape", l(2, 3), "pads", l(0, 1, 1, 2), "count_include_pad", 1L);
    compareOp(device, "AveragePool", x(1, 2, 5, 6), asymmetric, REDUCTION, 1e-6, 12);
    Map<String, Object> threeD = Map.of("kernel_shape", l(2, 2, 2), "strides", l(2, 2, 2));
    compareOp(device, "AveragePool", x(1, 2, 4, 5, 4), threeD, REDUCTION, 1e-6, 13);
  }

  @Test
  void averagePoolThatCuDnnCannotPadIsCorrectedPerPosition() {
    // Asymmetric padding not counted, ceil_mode overhang counted or not: explicit pad, pool, Mul by
    // K / count.
    Map<String, Object> sameUpper =
        Map.of("kernel_shape", l(3, 2), "auto_pad", "SAME_UPPER", "strides", l(2, 2));
    compareOp(device, "AveragePool", x(2, 2, 6, 7), sameUpper, REDUCTION, 1e-6, 41);
    Map<String, Object> ceil = Map.of("kernel_shape", l(3, 3), "strides", l(2, 2), "ceil_mode", 1L);
    compareOp(device, "AveragePool", x(1, 3, 7, 7), ceil, REDUCTION, 1e-6, 42);
    Map<String, Object> padsAndCeil =
        Map.of(
            "kernel_shape",
            l(3, 3),
            "strides",
            l(2, 2),
            "pads",
            l(1, 0, 1, 1),
            "ceil_mode",
            1L,
            "count_include_pad",
            1L);
    compareOp(device, "AveragePool", x(1, 3, 6, 7), padsAndCeil, REDUCTION, 1e-6, 43);
  }

  @Test
  void globalAveragePool() {
    compareOp(device, "GlobalAveragePool", x(2, 3, 5, 4), Map.of(), REDUCTION, 1e-6, 14);
    compareOp(device, "GlobalAveragePool", x(2, 3, 7), Map.of(), REDUCTION, 1e-6, 15);
  }

  @Test
  void activations() {
    for (String op : List.of("Relu", "Sigmoid", "Tanh")) {
      compareOp(device, op, distinct(0.02f, 2, 3, 4, 5), Map.of(), ELEMENTWISE, 1e-6, 16);
    }
    Map<String, Object> alpha = Map.of("alpha", 0.2f);
    compareOp(device, "LeakyRelu", distinct(0.02f, 3, 50), alpha, ELEMENTWISE, 1e-6, 17);
  }

  /**
   * GELU as exporters write it, x * 0.5 * (1 + Erf(x / sqrt 2)): on the CPU against x Phi(x) at
   * tabulated values of the normal distribution function Phi and its gradient against the closed
   * form Phi(x) + x phi(x), then the device against the CPU, forward and backward.
   */
  @Test
  void geluWrittenWithErf() {
    float[] x = {-2, -1, -0.5f, 0, 0.5f, 1, 2, 3};
    double[] phi = {
      0.022750131948179195,
      0.15865525393145707,
      0.3085375387259869,
      0.5,
      0.6914624612740131,
      0.8413447460685429,
      0.9772498680518208,
      0.9986501019683699
    };
    PlanTesting.GraphBuilder g = gelu(Tensor.of(Shape.of(1, x.length), x));
    CpuExecutor cpu = new CpuExecutor(g.build());
    Activations acts = cpu.forward(g.feeds, List.of("gelu"));
    float[] ones = new float[x.length];
    Arrays.fill(ones, 1f);
    float[] grad =
        cpu.backward(acts, Map.of("gelu", Tensor.of(Shape.of(1, x.length), ones)), List.of("x"))
            .get("x")
            .data();
    for (int i = 0; i < x.length; i++) {
      double density = Math.exp(-x[i] * x[i] / 2.0) / Math.sqrt(2 * Math.PI);
      assertEquals(x[i] * phi[i], acts.get("gelu").data()[i], 1e-6, "gelu(" + x[i] + ")");
      assertEquals(phi[i] + x[i] * density, grad[i], 1e-6, "gelu'(" + x[i] + ")");
    }
    compare(device, g, List.of("gelu"), ELEMENTWISE, 1e-6, 31);
    compare(device, gelu(x(3, 40)), List.of("gelu"), ELEMENTWISE, 1e-6, 32);
  }

  /** x * 0.5 * (1 + Erf(x / sqrt 2)) of the fed x, to "gelu". */
  private static PlanTesting.GraphBuilder gelu(Tensor x) {
    return graph()
        .input("x", x)
        .weight("root2", Tensor.scalar((float) Math.sqrt(2)))
        .weight("one", Tensor.scalar(1))
        .weight("half", Tensor.scalar(0.5f))
        .node("Div", List.of("x", "root2"), "scaled", Map.of())
        .node("Erf", List.of("scaled"), "erf", Map.of())
        .node("Add", List.of("erf", "one"), "shifted", Map.of())
        .node("Mul", List.of("x", "shifted"), "product", Map.of())
        .node("Mul", List.of("product", "half"), "gelu", Map.of());
  }

  @Test
  void clipWithAttributeOrConstantBounds() {
    compare(
        device,
        graph()
            .input("x", distinct(0.02f, 4, 30))
            .weight("lo", Tensor.scalar(-0.5f))
            .weight("hi", Tensor.scalar(0.7f))
            .node("Clip", List.of("x", "lo", "hi"), "y", Map.of()),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        18);
    compare(
        device,
        graph()
            .opset(6)
            .input("x", distinct(0.02f, 4, 30))
            .node("Clip", List.of("x"), "y", Map.of("min", -0.25f, "max", 0.5f)),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        19);
    // Bounds fed as graph inputs (their gradients are not computed: only x's is compared).
    PlanTesting.GraphBuilder b =
        graph()
            .input("x", distinct(0.02f, 4, 30))
            .input("lo", Tensor.scalar(-0.3f))
            .node("Clip", List.of("x", "lo"), "y", Map.of());
    PlanTesting.compareForward(device, b, List.of("y"), ELEMENTWISE, 1e-6);
  }

  @Test
  void softmaxAlongAnAxisAndCoercedTo2d() {
    compareOp(device, "Softmax", x(3, 4, 5), Map.of("axis", 1L), REDUCTION, 1e-6, 20);
    compareOp(device, "Softmax", x(3, 7), Map.of(), REDUCTION, 1e-6, 21);
    compare(
        device,
        graph()
            .opset(11)
            .input("x", x(2, 3, 4))
            .node("Softmax", List.of("x"), "y", Map.of("axis", 1L)),
        List.of("y"),
        REDUCTION,
        1e-6,
        22);
  }

  @Test
  void lrn() {
    Map<String, Object> lrn = Map.of("size", 3L, "alpha", 0.01f, "beta", 0.75f, "bias", 1.5f);
    compareOp(device, "LRN", x(2, 5, 3, 3), lrn, REDUCTION, 1e-5, 23);
  }

  @Test
  void batchNormalizationInInferenceMode() {
    compare(
        device,
        graph()
            .input("x", x(2, 3, 4, 4))
            .weight("s", x(3))
            .weight("b", x(3))
            .weight("m", x(3))
            .weight("v", random(Shape.of(3), rng, 0.5f, 2f))
            .node(
                "BatchNormalization",
                List.of("x", "s", "b", "m", "v"),
                "y",
                Map.of("epsilon", 1e-3f)),
        List.of("y"),
        ELEMENTWISE,
        1e-5,
        24);
    PlanTesting.compareForward(
        device,
        graph()
            .input("x", x(2, 3, 4))
            .input("s", x(3))
            .input("b", x(3))
            .input("m", x(3))
            .input("v", random(Shape.of(3), rng, 0.5f, 2f))
            .node("BatchNormalization", List.of("x", "s", "b", "m", "v"), "y", Map.of()),
        List.of("y"),
        ELEMENTWISE,
        1e-5);
  }

  @Test
  void layerNormalizationOverTheLastAxesWithAndWithoutB() {
    // [batch, tokens, features] normalized over the features, Scale and B weights.
    compare(
        device,
        graph()
            .opset(17)
            .input("x", x(2, 5, 24))
            .weight("s", random(Shape.of(24), rng, 0.5f, 1.5f))
            .weight("b", x(24))
            .node("LayerNormalization", List.of("x", "s", "b"), "y", Map.of()),
        List.of("y"),
        REDUCTION,
        1e-5,
        25);
    compare(
        device,
        graph()
            .opset(17)
            .input("x", x(2, 3, 4, 5))
            .weight("s", random(Shape.of(4, 5), rng, 0.5f, 1.5f))
            .node(
                "LayerNormalization",
                List.of("x", "s"),
                "y",
                Map.of("axis", -2L, "epsilon", 1e-2f)),
        List.of("y"),
        REDUCTION,
        1e-5,
        26);
  }

  @Test
  void layerNormalizationStatisticsForwardAndBackward() {
    // Y, Mean and InvStdDev all targets: each seeded, their gradients summed into x's.
    compare(
        device,
        graph()
            .opset(17)
            .input("x", x(3, 2, 7))
            .weight("s", random(Shape.of(2, 7), rng, 0.5f, 1.5f))
            .node(
                "LayerNormalization",
                List.of("x", "s"),
                List.of("y", "mean", "inv"),
                Map.of("axis", 1L)),
        List.of("y", "mean", "inv"),
        REDUCTION,
        1e-5,
        27);
  }

  @Test
  void gemmInEveryTransposeCombinationWithEveryBiasShape() {
    int m = 4;
    int k = 5;
    int n = 3;
    Shape[] cShapes = {Shape.of(n), Shape.of(m, 1), Shape.of(m, n), Shape.scalar(), Shape.of(1, n)};
    int c = 0;
    for (long ta : longs(0, 1)) {
      for (long tb : longs(0, 1)) {
        Tensor a = ta == 0 ? x(m, k) : x(k, m);
        Tensor b = tb == 0 ? x(k, n) : x(n, k);
        Shape cs = cShapes[c++ % cShapes.length];
        // A, B and C are all fed, so the backward gives each its gradient.
        compare(
            device,
            graph()
                .input("a", a)
                .input("b", b)
                .input("c", random(cs, rng, -1f, 1f))
                .node(
                    "Gemm",
                    List.of("a", "b", "c"),
                    "y",
                    Map.of("transA", ta, "transB", tb, "alpha", 0.7f, "beta", 0.4f)),
            List.of("y"),
            REDUCTION,
            1e-5,
            25 + c);
      }
    }
    compare(
        device,
        graph()
            .input("a", x(2, 6))
            .weight("w", x(3, 6))
            .weight("bias", x(3))
            .node("Gemm", List.of("a", "w", "bias"), "y", Map.of("transB", 1L)),
        List.of("y"),
        REDUCTION,
        1e-5,
        30);
  }

  @Test
  void matMulWithBatchBroadcastingAndVectors() {
    compare(
        device,
        graph()
            .input("a", x(2, 1, 3, 4))
            .input("b", x(3, 4, 2))
            .node("MatMul", List.of("a", "b"), "y", Map.of()),
        List.of("y"),
        REDUCTION,
        1e-5,
        31);
    compare(
        device,
        graph()
            .input("a", x(4))
            .input("b", x(2, 4, 3))
            .node("MatMul", List.of("a", "b"), "y", Map.of()),
        List.of("y"),
        REDUCTION,
        1e-5,
        32);
    compare(
        device,
        graph()
            .input("a", x(3, 5))
            .weight("b", x(5))
            .node("MatMul", List.of("a", "b"), "y", Map.of()),
        List.of("y"),
        REDUCTION,
        1e-5,
        33);
  }

  @Test
  void arithmeticWithBroadcastingBothWays() {
    for (String op : List.of("Add", "Sub", "Mul", "Div")) {
      Tensor b = random(Shape.of(3, 1, 5), rng, 0.5f, 1.5f);
      compare(
          device,
          graph()
              .input("a", x(2, 1, 4, 1))
              .input("b", b)
              .node(op, List.of("a", "b"), "y", Map.of()),
          List.of("y"),
          ELEMENTWISE,
          1e-5,
          34);
    }
    // A per-channel constant operand, as input normalization has.
    compare(
        device,
        graph()
            .input("a", x(2, 3, 4, 4))
            .weight("mean", x(1, 3, 1, 1))
            .node("Sub", List.of("a", "mean"), "y", Map.of()),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        35);
    // The same value as both operands: both gradients land in one buffer.
    compare(
        device,
        graph().input("a", x(3, 4)).node("Mul", List.of("a", "a"), "y", Map.of()),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        36);
  }

  @Test
  void concatIncludingOneInputTwice() {
    compare(
        device,
        graph()
            .input("a", x(2, 3, 4))
            .input("b", x(2, 1, 4))
            .weight("c", x(2, 2, 4))
            .node("Concat", List.of("a", "b", "c", "a"), "y", Map.of("axis", 1L)),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        37);
  }

  @Test
  void padConstantEdgeAndReflect() {
    Tensor pads = Tensor.ofLongs(Shape.of(8), longs(0, 1, 2, -1, 0, 0, 1, 2));
    compare(
        device,
        graph()
            .input("x", x(2, 3, 4, 5))
            .weight("pads", pads)
            .weight("v", Tensor.scalar(0.5f))
            .node("Pad", List.of("x", "pads", "v"), "y", Map.of()),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        38);
    for (String mode : List.of("edge", "reflect", "wrap")) {
      // Forward only: the device plan differentiates constant padding only.
      PlanTesting.compareForward(
          device,
          graph()
              .opset(19)
              .input("x", x(2, 3, 4, 5))
              .weight("pads", Tensor.ofLongs(Shape.of(8), longs(0, 0, 2, 1, 0, 0, 1, 3)))
              .node("Pad", List.of("x", "pads"), "y", Map.of("mode", mode)),
          List.of("y"),
          0,
          0);
    }
    // The fill value as a graph input.
    PlanTesting.compareForward(
        device,
        graph()
            .input("x", x(2, 3))
            .weight("pads", Tensor.ofLongs(Shape.of(4), longs(1, 0, 0, 2)))
            .input("v", Tensor.scalar(2.5f))
            .node("Pad", List.of("x", "pads", "v"), "y", Map.of()),
        List.of("y"),
        0,
        0);
  }

  @Test
  void transposeFlattenAndReshapeAliases() {
    Map<String, Object> perm = Map.of("perm", l(0, 3, 1, 2));
    compareOp(device, "Transpose", x(2, 3, 4, 5), perm, ELEMENTWISE, 1e-6, 39);
    Tensor shape = Tensor.ofLongs(Shape.of(2), longs(6, -1));
    compare(
        device,
        graph()
            .input("x", x(2, 3, 4, 5))
            .weight("shape", shape)
            .node("Flatten", List.of("x"), "f", Map.of("axis", 2L))
            .node("Reshape", List.of("f", "shape"), "r", Map.of())
            .node("Tanh", List.of("r"), "y", Map.of()),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        40);
  }

  @Test
  void squeezeAndUnsqueezeAliases() {
    compare(
        device,
        graph()
            .input("x", x(2, 1, 3, 1))
            .weight("sq", Tensor.ofLongs(Shape.of(2), longs(-1, 1)))
            .weight("unsq", Tensor.ofLongs(Shape.of(2), longs(0, -1)))
            .node("Squeeze", List.of("x", "sq"), "s", Map.of())
            .node("Unsqueeze", List.of("s", "unsq"), "u", Map.of())
            .node("Tanh", List.of("u"), "y", Map.of()),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        41);
  }

  @Test
  void sliceWithUnitStepsIsACropAndOtherStepsGathers() {
    compare(
        device,
        graph()
            .input("x", x(2, 5, 6))
            .weight("starts", Tensor.ofLongs(Shape.of(2), longs(-4, 1)))
            .weight("ends", Tensor.ofLongs(Shape.of(2), longs(100, -1)))
            .weight("axes", Tensor.ofLongs(Shape.of(2), longs(2, 1)))
            .node("Slice", List.of("x", "starts", "ends", "axes"), "s", Map.of())
            .node("Tanh", List.of("s"), "y", Map.of()),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        42);
    // Other steps, positive and negative, on two axes (Swin's x[:, 0::2, 1::2]): gathers per axis.
    compare(
        device,
        graph()
            .input("x", x(2, 6, 5))
            .weight("starts", Tensor.ofLongs(Shape.of(2), longs(0, -1)))
            .weight("ends", Tensor.ofLongs(Shape.of(2), longs(6, -100)))
            .weight("axes", Tensor.ofLongs(Shape.of(2), longs(1, 2)))
            .weight("steps", Tensor.ofLongs(Shape.of(2), longs(2, -2)))
            .node("Slice", List.of("x", "starts", "ends", "axes", "steps"), "y", Map.of()),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        43);
  }

  @Test
  void gatherWithConstantIndicesAlongAnyAxis() {
    // A scalar index (drops the axis), then repeated and negative indices along the last axis.
    compare(
        device,
        graph()
            .input("x", x(2, 5, 6))
            .weight("first", Tensor.ofLongs(Shape.of(), longs(-4)))
            .weight("cols", Tensor.ofLongs(Shape.of(2, 2), longs(5, 0, -1, 2)))
            .node("Gather", List.of("x", "first"), "g", Map.of("axis", 1L))
            .node("Gather", List.of("g", "cols"), "y", Map.of("axis", -1L)),
        List.of("y"),
        ELEMENTWISE,
        1e-6,
        44);
  }

  @Test
  void reductionsOverAnyAxes() {
    compare(
        device,
        graph()
            .input("x", distinct(0.01f, 2, 3, 4, 5))
            .weight("axes", Tensor.ofLongs(Shape.of(2), longs(0, -1)))
            .node("ReduceMean", List.of("x"), "m", Map.of("axes", l(1, 2), "keepdims", 0L))
            .node("ReduceSum", List.of("x", "axes"), "s", Map.of())
            .node("ReduceMax", List.of("x"), "y", Map.of("axes", l(2))),
        List.of("m", "s", "y"),
        REDUCTION,
        1e-6,
        45);
  }

  @Test
  void splitIsACropPerOutputAndMaxMinChainTheirInputs() {
    compare(
        device,
        graph()
            .input("x", x(2, 6, 3))
            .weight("sizes", Tensor.ofLongs(Shape.of(3), longs(1, 3, 2)))
            .node("Split", List.of("x", "sizes"), List.of("p0", "p1", "p2"), Map.of("axis", 1L))
            .node("Tanh", List.of("p0"), "y", Map.of()),
        List.of("y", "p2"),
        ELEMENTWISE,
        1e-6,
        46);
    compare(
        device,
        graph()
            .input("a", distinct(0.1f, 2, 3))
            .input("b", distinct(0.13f, 3))
            .input("c", distinct(0.17f, 2, 1))
            .node("Max", List.of("a", "b", "c"), "mx", Map.of())
            .node("Min", List.of("a", "c"), "mn", Map.of())
            .node("Min", List.of("b"), "y", Map.of()),
        List.of("mx", "mn", "y"),
        ELEMENTWISE,
        1e-6,
        47);
  }
}
