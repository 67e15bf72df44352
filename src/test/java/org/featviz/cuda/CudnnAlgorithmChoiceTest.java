package org.featviz.cuda;

import static jcuda.jcudnn.cudnnDeterminism.CUDNN_DETERMINISTIC;
import static jcuda.jcudnn.cudnnDeterminism.CUDNN_NON_DETERMINISTIC;
import static jcuda.jcudnn.cudnnMathType.CUDNN_DEFAULT_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_FMA_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_TENSOR_OP_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
import static org.featviz.Literals.ints;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnStatus;
import org.featviz.cuda.FakeCudnn.Direction;
import org.featviz.cuda.FakeCudnn.Perf;
import org.featviz.cuda.FakeCudnn.Run;
import org.featviz.device.ActivationMode;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceException;
import org.featviz.device.MathMode;
import org.featviz.ir.Attributes;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link CudnnConvolutions} turns cudnnFind results into the calls it makes, on the binding
 * fake, whose Find reports what each test sets: the result's math type set on that direction's own
 * descriptor and its workspace queried again under it; FP32 taking only CUDNN_FMA_MATH results
 * (CUDNN_DEFAULT_MATH may run TF32 on Ampere and later); TF32 refusing
 * CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION (FP16 operands); failed results and failing workspace
 * queries skipped; the fused conv + bias + ReLU run with the algorithm found for the geometry and
 * falling back to three calls where cuDNN refuses it.
 */
class CudnnAlgorithmChoiceTest {
  private static final int PRECOMP =
      cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
  private static final int WINOGRAD =
      cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;
  private static final int GEMM = cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_GEMM;
  private static final int BWD_0 = cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_0;
  private static final int BWD_1 = cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
  private static final ConvDescriptor D =
      new ConvDescriptor(2, 6, ints(7, 6), 4, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 2);

  private FakeCudaDevice device = new FakeCudaDevice();
  private final Random rng = new Random(17);

  @AfterEach
  void close() {
    device.close();
  }

  private static Perf perf(int algo, int mathType, float time) {
    return Perf.of(algo, time, CUDNN_DETERMINISTIC, mathType);
  }

  /**
   * Find reports these results whatever the descriptor's math type (as a cuDNN that measures them
   * all would).
   */
  private void findReports(List<Perf> forward, List<Perf> backwardData) {
    device.cudnnFake.perf =
        (direction, descriptorMath, g) -> direction == Direction.FORWARD ? forward : backwardData;
  }

  /** A workspace for every algorithm and math type, different for each, so a stale size shows. */
  private void distinctWorkspaces() {
    device.cudnnFake.workspace =
        (direction, algo, math, g) ->
            1000L * (algo + 1) + 100L * math + (direction == Direction.FORWARD ? 0 : 50);
  }

  private List<Run> runs(String call) {
    return device.cudnnFake.runs.stream().filter(r -> r.call().equals(call)).toList();
  }

  private static Node conv(ConvDescriptor d, int inputs) {
    return CpuOracle.conv(d, inputs);
  }

  /** Forward and backward data of D on the device against the CPU reference to FP32 rounding. */
  private void runAndCompare() {
    Tensor x = random(Shape.of(D.inputDims()), rng, -1f, 1f);
    Tensor w = random(Shape.of(D.weightDims()), rng, -1f, 1f);
    Tensor y = CpuOracle.forward(conv(D, 2), x, w);
    Tensor gy = random(y.shape(), rng, -1f, 1f);
    Tensor gx = CpuOracle.backward(conv(D, 2), new Tensor[] {x, w}, gy, true, false)[0];
    try (DeviceBuffer dx = device.toDevice(x.data());
        DeviceBuffer dw = device.toDevice(w.data());
        DeviceBuffer dy = device.allocateFloats(y.size());
        DeviceBuffer dgy = device.toDevice(gy.data());
        DeviceBuffer dgx = device.allocateFloats(x.size())) {
      device.library().convolutionPrepare(D);
      device.library().convolutionBackwardData(D, dw, dgy, dgx, 1f, 0f);
      device
          .library()
          .convolutionForward(D, dx, dw, dy, 1f, 0f); // after backward data chose its own math type
      // FP32 bounds: TF32 operands (what the fake does under DEFAULT or TENSOR_OP math) would miss
      // them by 100x.
      BindingChecks.assertRelative(
          y.data(), device.copyToHostFloats(dy, y.size()), 1e-5, "forward");
      BindingChecks.assertRelative(
          gx.data(), device.copyToHostFloats(dgx, x.size()), 1e-5, "backward data");
    }
  }

  @Test
  void fp32TakesOnlyFmaResultsAndRunsThemUnderFmaMath() {
    // The fastest results report DEFAULT_MATH (TF32 on Ampere+) and TENSOR_OP_MATH: FP32 must pass
    // them over.
    findReports(
        List.of(
            perf(PRECOMP, CUDNN_DEFAULT_MATH, 0.1f),
            perf(WINOGRAD, CUDNN_TENSOR_OP_MATH, 0.2f),
            perf(GEMM, CUDNN_FMA_MATH, 0.5f)),
        List.of(perf(BWD_1, CUDNN_DEFAULT_MATH, 0.1f), perf(BWD_0, CUDNN_FMA_MATH, 0.4f)));
    distinctWorkspaces();
    device.setMathMode(MathMode.FP32);
    runAndCompare();
    assertEquals(
        List.of(new Run("cudnnConvolutionForward", GEMM, CUDNN_FMA_MATH, 1000L * (GEMM + 1) + 300)),
        runs("cudnnConvolutionForward"));
    assertEquals(
        List.of(
            new Run(
                "cudnnConvolutionBackwardData", BWD_0, CUDNN_FMA_MATH, 1000L * (BWD_0 + 1) + 350)),
        runs("cudnnConvolutionBackwardData"));
  }

  @Test
  void fp32WithoutAnFmaResultIsAnErrorThatListsTheResults() {
    findReports(
        List.of(perf(PRECOMP, CUDNN_DEFAULT_MATH, 0.1f)),
        List.of(perf(BWD_1, CUDNN_FMA_MATH, 0.1f)));
    device.setMathMode(MathMode.FP32);
    DeviceException e =
        assertThrows(DeviceException.class, () -> device.library().convolutionPrepare(D));
    assertTrue(
        e.getMessage().contains("CUDNN_FMA_MATH only")
            && e.getMessage().contains("algo 1 CUDNN_DEFAULT_MATH"),
        e.getMessage());
  }

  @Test
  void theChosenMathTypeIsSetOnThatDirectionsDescriptorAndItsWorkspaceQueriedAgain() {
    // TF32: forward's fastest usable result is TENSOR_OP (after a failed one and an FP16-converting
    // one), backward
    // data's is DEFAULT. Find's memory is understated (0): only the workspace query under the
    // chosen math type
    // gives the size the call needs (the fake refuses a call given less).
    Perf failed =
        new Perf(
            GEMM,
            cudnnStatus.CUDNN_STATUS_NOT_SUPPORTED,
            0.01f,
            CUDNN_DETERMINISTIC,
            CUDNN_TENSOR_OP_MATH,
            0);
    Perf converting =
        new Perf(PRECOMP, 0, 0.02f, CUDNN_DETERMINISTIC, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION, 0);
    Perf tensorOp = new Perf(WINOGRAD, 0, 0.05f, CUDNN_DETERMINISTIC, CUDNN_TENSOR_OP_MATH, 0);
    Perf defaultMath = new Perf(BWD_1, 0, 0.05f, CUDNN_DETERMINISTIC, CUDNN_DEFAULT_MATH, 0);
    findReports(
        List.of(failed, converting, tensorOp, perf(PRECOMP, CUDNN_FMA_MATH, 1f)),
        List.of(defaultMath, perf(BWD_0, CUDNN_FMA_MATH, 1f)));
    distinctWorkspaces();
    device.cudnnFake.tf32 = FakeTf32.NONE; // this test is about the calls, not the rounding
    device.setMathMode(MathMode.TF32);
    runAndCompare();
    long forwardBytes = 1000L * (WINOGRAD + 1) + 100L * CUDNN_TENSOR_OP_MATH;
    long backwardBytes = 1000L * (BWD_1 + 1) + 100L * CUDNN_DEFAULT_MATH + 50;
    assertEquals(
        List.of(new Run("cudnnConvolutionForward", WINOGRAD, CUDNN_TENSOR_OP_MATH, forwardBytes)),
        runs("cudnnConvolutionForward"));
    assertEquals(
        List.of(new Run("cudnnConvolutionBackwardData", BWD_1, CUDNN_DEFAULT_MATH, backwardBytes)),
        runs("cudnnConvolutionBackwardData"));
    assertTrue(
        device.cudnnFake.queries.contains(
            "workspace FORWARD algo "
                + WINOGRAD
                + " math type "
                + CUDNN_TENSOR_OP_MATH
                + ": "
                + forwardBytes),
        device.cudnnFake.queries.toString());
  }

  @Test
  void aResultWhoseWorkspaceQueryFailsIsSkipped() {
    findReports(
        List.of(perf(WINOGRAD, CUDNN_FMA_MATH, 0.1f), perf(PRECOMP, CUDNN_FMA_MATH, 0.2f)),
        List.of(perf(BWD_1, CUDNN_FMA_MATH, 0.1f)));
    device.cudnnFake.workspace = (direction, algo, math, g) -> algo == WINOGRAD ? -1 : 64;
    runAndCompare();
    assertEquals(PRECOMP, runs("cudnnConvolutionForward").get(0).algo());
  }

  @Test
  void deterministicAlgorithmsOnlyWhenAskedFor() {
    // The fake's default Find: backward data's fastest result (ALGO_0, atomics) is
    // non-deterministic.
    runAndCompare();
    assertEquals(
        BWD_0, runs("cudnnConvolutionBackwardData").get(0).algo(), "the fastest, by default");
    List<Integer> poolModes = new java.util.ArrayList<>();
    device.close();
    device =
        new FakeCudaDevice(
            UnaryOperator.identity(),
            CudaBindingMutationTest.rewrite(
                CudnnApi.class, "setPoolingNdDescriptor", a -> poolModes.add((Integer) a[1])));
    device.setDeterministicAlgorithms(true);
    runAndCompare();
    assertEquals(
        BWD_1, runs("cudnnConvolutionBackwardData").get(0).algo(), "the fastest deterministic one");
    org.featviz.device.PoolDescriptor max =
        new org.featviz.device.PoolDescriptor(
            org.featviz.device.PoolDescriptor.Mode.MAX,
            1,
            2,
            ints(4, 4),
            ints(2, 2),
            ints(0, 0),
            ints(2, 2));
    try (DeviceBuffer x = device.toDevice(random(Shape.of(max.inputDims()), rng, -1f, 1f).data());
        DeviceBuffer y = device.allocateFloats(max.outputCount())) {
      device.library().poolingForward(max, x, y, 1f, 0f);
    }
    assertTrue(
        poolModes.contains(jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX_DETERMINISTIC)
            && !poolModes.contains(jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX),
        "max pooling modes " + poolModes);
    // No deterministic result at all: an error that says so.
    findReports(
        List.of(perf(PRECOMP, CUDNN_FMA_MATH, 0.1f)),
        List.of(Perf.of(BWD_0, 0.1f, CUDNN_NON_DETERMINISTIC, CUDNN_FMA_MATH)));
    ConvDescriptor other =
        new ConvDescriptor(1, 2, ints(5, 5), 3, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
    DeviceException e =
        assertThrows(DeviceException.class, () -> device.library().convolutionPrepare(other));
    assertTrue(e.getMessage().contains("deterministic"), e.getMessage());
  }

  @Test
  void theFusedCallRunsTheAlgorithmFoundForTheGeometry() {
    // Forward's choice is WINOGRAD_NONFUSED under FMA math: the fused conv + bias + ReLU uses it,
    // with its
    // workspace, not IMPLICIT_PRECOMP_GEMM (cuDNN's IMPLICIT_PRECOMP_GEMM-only rule is for the
    // identity activation).
    findReports(
        List.of(perf(WINOGRAD, CUDNN_FMA_MATH, 0.1f), perf(PRECOMP, CUDNN_FMA_MATH, 0.3f)),
        List.of(perf(BWD_1, CUDNN_FMA_MATH, 0.1f)));
    distinctWorkspaces();
    checkFused();
    List<Run> fused = runs("cudnnConvolutionBiasActivationForward");
    assertEquals(
        List.of(
            new Run(
                "cudnnConvolutionBiasActivationForward",
                WINOGRAD,
                CUDNN_FMA_MATH,
                1000L * (WINOGRAD + 1) + 100L * CUDNN_FMA_MATH)),
        fused);
    assertEquals(List.of(), runs("cudnnConvolutionForward"), "no separate convolution");
  }

  @Test
  void whereCudnnRefusesTheFusedCallThreeCallsComputeTheSameFromThenOn() {
    AtomicInteger attempts = new AtomicInteger();
    device.close();
    device =
        new FakeCudaDevice(
            UnaryOperator.identity(),
            CudaBindingMutationTest.rewrite(
                CudnnApi.class,
                "convolutionBiasActivationForward",
                a -> attempts.incrementAndGet()));
    device.cudnnFake.refuseFused = g -> true;
    checkFused();
    checkFused();
    assertEquals(1, attempts.get(), "the refused fused call is tried once per geometry");
    assertEquals(2, runs("cudnnConvolutionForward").size(), "the fallback's convolutions");
  }

  /** relu(conv(x, w) + b), and the blend relu(0.5 conv + 0.75 y + b), against the CPU reference. */
  private void checkFused() {
    Tensor x = random(Shape.of(D.inputDims()), rng, -1f, 1f);
    Tensor w = random(Shape.of(D.weightDims()), rng, -1f, 1f);
    Tensor b = random(Shape.of(D.k()), rng, -0.5f, 0.5f);
    Node relu = new Node("relu", "Relu", List.of("x"), List.of("y"), Attributes.empty());
    Tensor expected = CpuOracle.forward(relu, CpuOracle.forward(conv(D, 3), x, w, b));
    try (DeviceBuffer dx = device.toDevice(x.data());
        DeviceBuffer dw = device.toDevice(w.data());
        DeviceBuffer db = device.toDevice(b.data());
        DeviceBuffer dy = device.allocateFloats(expected.size())) {
      device.library().convolutionPrepare(D);
      device
          .library()
          .convolutionBiasActivationForward(D, ActivationMode.RELU, dx, dw, db, dy, 1f, 0f);
      BindingChecks.assertRelative(
          expected.data(), device.copyToHostFloats(dy, expected.size()), 1e-5, "relu(conv + b)");
    }
  }
}
