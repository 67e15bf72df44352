package org.featviz.device;

import static org.featviz.Literals.ints;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.featviz.cuda.CpuOracle;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The library operations of {@link Device} (cuDNN/cuBLAS semantics) against the CPU reference
 * kernels of the matching ONNX ops, on fresh random inputs: convolution forward and backward-data
 * (groups, strides, dilations, padding, 2-D and 3-D), GEMM in every transpose combination with
 * alpha, beta and offsets (also against a plain triple loop, since the row-major/column-major swap
 * is where a cuBLAS binding goes wrong), pooling in every mode, activations, LRN and softmax, each
 * forward and backward, and the out = alpha op + beta out blending. On the emulator the library is
 * the CPU reference itself, so there this checks the mapping from descriptors to ops; on a GPU
 * (GpuTest$LibraryOps) it checks cuDNN and cuBLAS.
 */
public abstract class LibraryOpsCases extends DeviceCases {
  private final Random rng = new Random(3);

  /** A library call's backward, alpha 1 and beta 0: x and y of the forward, dy in, dx out. */
  private interface Backward {
    void run(DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx);
  }

  /**
   * A one-input library operation against its CPU reference node on x: the forward (alpha 1, beta
   * 0) to within fRel, fAbs of the reference, then the backward of a random output gradient to
   * within bRel, bAbs.
   */
  private void compareWithReference(
      Node reference,
      Tensor x,
      BiConsumer<DeviceBuffer, DeviceBuffer> forward,
      Backward backward,
      double fRel,
      double fAbs,
      double bRel,
      double bAbs,
      String what) {
    Tensor y = CpuOracle.forward(reference, x);
    Tensor gy = random(y.shape(), rng, -1f, 1f);
    Tensor gx = CpuOracle.backward(reference, new Tensor[] {x}, gy, true)[0];
    try (DeviceBuffer dx = device.toDevice(x.data());
        DeviceBuffer dy = device.allocateFloats(y.size());
        DeviceBuffer ddy = device.toDevice(gy.data());
        DeviceBuffer g = device.allocateFloats(x.size())) {
      forward.accept(dx, dy);
      assertClose(y.data(), device.copyToHostFloats(dy, y.size()), fRel, fAbs, what);
      backward.run(dx, dy, ddy, g);
      assertClose(gx.data(), device.copyToHostFloats(g, x.size()), bRel, bAbs, what + " backward");
    }
  }

  @Test
  void convolutionForwardAndBackwardDataMatchTheCpuReference() {
    ConvDescriptor[] cases = {
      new ConvDescriptor(2, 3, ints(7, 6), 4, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1),
      new ConvDescriptor(1, 4, ints(9, 8), 6, ints(3, 2), ints(2, 0), ints(2, 3), ints(2, 1), 2),
      new ConvDescriptor(
          2, 2, ints(4, 5, 5), 3, ints(2, 3, 3), ints(0, 1, 1), ints(1, 2, 1), ints(1, 1, 2), 1)
    };
    for (ConvDescriptor d : cases) {
      Tensor x = random(Shape.of(d.inputDims()), rng, -1f, 1f);
      Tensor w = random(Shape.of(d.weightDims()), rng, -0.5f, 0.5f);
      Node conv = CpuOracle.conv(d, 2);
      Tensor y = CpuOracle.forward(conv, x, w);
      Tensor gy = random(y.shape(), rng, -1f, 1f);
      Tensor gx = CpuOracle.backward(conv, new Tensor[] {x, w}, gy, true, false)[0];
      float[] priorY = random(y.shape(), rng, -1f, 1f).data();
      float[] priorX = random(x.shape(), rng, -1f, 1f).data();
      try (DeviceBuffer dx = device.toDevice(x.data());
          DeviceBuffer dw = device.toDevice(w.data());
          DeviceBuffer dy = device.allocateFloats(y.size());
          DeviceBuffer ddy = device.toDevice(gy.data());
          DeviceBuffer g = device.allocateFloats(x.size())) {
        library().convolutionPrepare(d);
        library().convolutionForward(d, dx, dw, dy, 1f, 0f);
        assertClose(y.data(), device.copyToHostFloats(dy, y.size()), 1e-4, 1e-5, "conv " + d);
        device.copyToDevice(priorY, dy);
        library().convolutionForward(d, dx, dw, dy, 0.5f, 1f);
        assertClose(
            CpuOracle.blend(y.data(), 0.5f, 1f, priorY),
            device.copyToHostFloats(dy, y.size()),
            1e-4,
            1e-5,
            "conv 0.5 y + prior " + d);
        library().convolutionBackwardData(d, dw, ddy, g, 1f, 0f);
        assertClose(
            gx.data(), device.copyToHostFloats(g, x.size()), 1e-4, 1e-5, "conv backward data " + d);
        device.copyToDevice(priorX, g);
        library().convolutionBackwardData(d, dw, ddy, g, 1f, 1f);
        assertClose(
            CpuOracle.plus(priorX, gx.data()),
            device.copyToHostFloats(g, x.size()),
            1e-4,
            1e-5,
            "conv backward data accumulated " + d);
      }
    }
  }

  /** C [m, n] = alpha op(A) op(B) + beta C by a triple loop over row-major matrices. */
  private static float[] naiveGemm(
      GemmDescriptor d, float[] a, float[] b, float[] c, float alpha, float beta) {
    float[] r = new float[d.m() * d.n()];
    for (int i = 0; i < d.m(); i++) {
      for (int j = 0; j < d.n(); j++) {
        double s = 0;
        for (int p = 0; p < d.k(); p++) {
          float av = d.transA() ? a[p * d.m() + i] : a[i * d.k() + p];
          float bv = d.transB() ? b[j * d.k() + p] : b[p * d.n() + j];
          s += (double) av * bv;
        }
        r[i * d.n() + j] = (float) (alpha * s + beta * c[i * d.n() + j]);
      }
    }
    return r;
  }

  @Test
  void gemmMatchesATripleLoopInEveryTransposeCombination() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        GemmDescriptor d = new GemmDescriptor(ta, tb, 5, 7, 3);
        float[] a = random(Shape.of(d.aDims()), rng, -1f, 1f).data();
        float[] b = random(Shape.of(d.bDims()), rng, -1f, 1f).data();
        float[] c = random(Shape.of(5, 7), rng, -1f, 1f).data();
        // Each operand sits at an offset inside a larger buffer, as MatMul's batch slices do.
        int offA = 3;
        int offB = 11;
        int offC = 2;
        try (DeviceBuffer da = device.allocateFloats(a.length + offA);
            DeviceBuffer db = device.allocateFloats(b.length + offB + 4);
            DeviceBuffer dc = device.allocateFloats(c.length + offC)) {
          device.copyToDevice(a, 0, da, offA, a.length);
          device.copyToDevice(b, 0, db, offB, b.length);
          device.copyToDevice(c, 0, dc, offC, c.length);
          library().gemm(d, da, offA, db, offB, dc, offC, 0.75f, 0.5f);
          float[] got = new float[c.length];
          device.copyToHost(dc, offC, got, 0, got.length);
          assertClose(
              naiveGemm(d, a, b, c, 0.75f, 0.5f),
              got,
              1e-5,
              1e-6,
              "gemm transA " + ta + " transB " + tb);
          library().gemm(d, da, offA, db, offB, dc, offC, 1f, 0f);
          device.copyToHost(dc, offC, got, 0, got.length);
          assertClose(
              naiveGemm(d, a, b, new float[c.length], 1f, 0f), got, 1e-5, 1e-6, "gemm, beta 0");
        }
      }
    }
  }

  @Test
  void poolingForwardAndBackwardMatchTheCpuReferenceInEveryMode() {
    for (PoolDescriptor.Mode mode : PoolDescriptor.Mode.values()) {
      PoolDescriptor[] cases = {
        new PoolDescriptor(mode, 2, 3, ints(7, 6), ints(3, 2), ints(1, 1), ints(2, 2)),
        new PoolDescriptor(mode, 1, 2, ints(4, 5, 6), ints(2, 3, 3), ints(0, 1, 1), ints(1, 2, 2))
      };
      for (PoolDescriptor d : cases) {
        Tensor x =
            org.featviz.cpu.OpTesting.distinct(
                Shape.of(d.inputDims()), rng, 0.01f); // no ties for max
        compareWithReference(
            CpuOracle.pool(d),
            x,
            (bx, by) -> library().poolingForward(d, bx, by, 1f, 0f),
            (bx, by, bdy, bdx) -> library().poolingBackward(d, bx, by, bdy, bdx, 1f, 0f),
            1e-5,
            1e-6,
            1e-5,
            1e-6,
            "pool " + d);
      }
    }
  }

  /**
   * Max pooling with NaN inputs: a window holding a NaN gives NaN, wherever the NaN lies in it, on
   * every device as in the CPU reference (cuDNN pools with CUDNN_PROPAGATE_NAN). Forward only:
   * where cuDNN's backward sends the gradient of a NaN window is not documented.
   */
  @Test
  void maxPoolingPropagatesNanAsTheCpuReferenceDoes() {
    PoolDescriptor d =
        new PoolDescriptor(
            PoolDescriptor.Mode.MAX, 2, 2, ints(7, 6), ints(3, 2), ints(1, 1), ints(2, 2));
    Tensor x = random(Shape.of(d.inputDims()), rng, -1f, 1f);
    for (int i : ints(0, 8, 19, 44, 61, 83)) x.data()[i] = Float.NaN;
    float[] y = CpuOracle.forward(CpuOracle.pool(d), x).data();
    int nans = 0;
    for (float v : y) if (Float.isNaN(v)) nans++;
    assertTrue(nans > 3 && nans < y.length, nans + " of " + y.length + " outputs NaN");
    try (DeviceBuffer dx = device.toDevice(x.data());
        DeviceBuffer dy = device.allocateFloats(y.length)) {
      library().poolingForward(d, dx, dy, 1f, 0f);
      assertEquals(
          java.util.Arrays.toString(y),
          java.util.Arrays.toString(device.copyToHostFloats(dy, y.length)),
          "max pooling with NaN " + d);
    }
  }

  @Test
  void activationsMatchTheCpuReference() {
    int n = 300;
    for (ActivationMode mode : ActivationMode.values()) {
      String op =
          switch (mode) {
            case RELU -> "Relu";
            case SIGMOID -> "Sigmoid";
            case TANH -> "Tanh";
          };
      Node act = node(op, Map.of(), 1, 1);
      Tensor x =
          org.featviz.cpu.OpTesting.distinct(
              Shape.of(n), rng, 0.02f); // keeps clear of ReLU's kink at 0
      Tensor y = CpuOracle.forward(act, x);
      Tensor gy = random(y.shape(), rng, -1f, 1f);
      Tensor gx = CpuOracle.backward(act, new Tensor[] {x}, gy, true)[0];
      float[] prior = random(x.shape(), rng, -1f, 1f).data();
      try (DeviceBuffer dx = device.toDevice(x.data());
          DeviceBuffer dy = device.allocateFloats(n);
          DeviceBuffer ddy = device.toDevice(gy.data());
          DeviceBuffer g = device.toDevice(prior)) {
        library().activationForward(mode, n, dx, dy, 1f, 0f);
        assertClose(y.data(), device.copyToHostFloats(dy, n), 1e-5, 1e-6, mode.toString());
        library().activationBackward(mode, n, dx, dy, ddy, g, 1f, 1f);
        assertClose(
            CpuOracle.plus(prior, gx.data()),
            device.copyToHostFloats(g, n),
            1e-5,
            1e-6,
            mode + " backward");
      }
    }
  }

  @Test
  void lrnMatchesTheCpuReference() {
    for (int size : ints(3, 4)) {
      LrnDescriptor d = new LrnDescriptor(2, 6, 10, size, 0.02f, 0.75f, 1.5f);
      Node lrn =
          node(
              "LRN",
              Map.of("size", (long) size, "alpha", 0.02f, "beta", 0.75f, "bias", 1.5f),
              1,
              1);
      compareWithReference(
          lrn,
          random(Shape.of(2, 6, 10), rng, -2f, 2f),
          (x, y) -> library().lrnForward(d, x, y, 1f, 0f),
          (x, y, dy, dx) -> library().lrnBackward(d, x, y, dy, dx, 1f, 0f),
          1e-5,
          1e-6,
          1e-4,
          1e-5,
          "lrn " + d);
    }
  }

  @Test
  void softmaxAlongTheMiddleAxisMatchesTheCpuReference() {
    SoftmaxDescriptor d = new SoftmaxDescriptor(3, 5, 4);
    compareWithReference(
        node("Softmax", Map.of("axis", 1L), 1, 1),
        random(Shape.of(3, 5, 4), rng, -3f, 3f),
        (x, y) -> library().softmaxForward(d, x, y, 1f, 0f),
        (x, y, dy, dx) -> library().softmaxBackward(d, y, dy, dx, 1f, 0f),
        1e-5,
        1e-7,
        1e-5,
        1e-6,
        "softmax " + d);
  }

  /**
   * TF32 convolutions (forward and backward data) and GEMMs against the same calls in FP32, within
   * {@link Tf32Check}'s bounds: per element no more than TF32 operands can explain, even on
   * hardware that truncates them; overall not more than truncation gives and not less than TF32
   * gives at all (a device where TF32 never engages fails this test). The sizes are large enough (C
   * = K = 64, batch 8; a GEMM of 96 x 80 x 576) that a GPU from Ampere on should run tensor-core
   * algorithms for them.
   */
  @Test
  void tf32ConvolutionAndGemmStayWithinTheTf32Bounds() {
    checkTf32AgainstFp32();
  }

  protected final void checkTf32AgainstFp32() {
    ConvDescriptor d =
        new ConvDescriptor(
            8, 64, ints(12, 12), 64, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
    GemmDescriptor g = new GemmDescriptor(true, false, 96, 80, 576);
    Tensor x = random(Shape.of(d.inputDims()), rng, -1, 1);
    Tensor w = random(Shape.of(d.weightDims()), rng, -1, 1);
    Tensor gy = random(Shape.of(d.outputDims()), rng, -1, 1);
    float[] a = random(Shape.of(g.aDims()), rng, -1, 1).data();
    float[] b = random(Shape.of(g.bDims()), rng, -1, 1).data();
    float[][] conv = new float[2][];
    float[][] convBack = new float[2][];
    float[][] gemm = new float[2][];
    try (DeviceBuffer bx = device.toDevice(x.data());
        DeviceBuffer bw = device.toDevice(w.data());
        DeviceBuffer by = device.allocateFloats(d.outputCount());
        DeviceBuffer bgy = device.toDevice(gy.data());
        DeviceBuffer bgx = device.allocateFloats(d.inputCount());
        DeviceBuffer ba = device.toDevice(a);
        DeviceBuffer bb = device.toDevice(b);
        DeviceBuffer bc = device.allocateFloats((long) g.m() * g.n())) {
      for (MathMode mode : new MathMode[] {MathMode.FP32, MathMode.TF32}) {
        device.setMathMode(mode);
        library().convolutionPrepare(d);
        library().convolutionForward(d, bx, bw, by, 1f, 0f);
        conv[mode.ordinal()] = device.copyToHostFloats(by, (int) d.outputCount());
        library().convolutionBackwardData(d, bw, bgy, bgx, 1f, 0f);
        convBack[mode.ordinal()] = device.copyToHostFloats(bgx, (int) d.inputCount());
        library().gemm(g, ba, 0, bb, 0, bc, 0, 1f, 0f);
        gemm[mode.ordinal()] = device.copyToHostFloats(bc, g.m() * g.n());
      }
    } finally {
      device.setMathMode(MathMode.FP32);
    }
    // The sums of |products| per element: the same operations on |operands|, by the CPU reference.
    Node convNode = CpuOracle.conv(d, 2);
    Tensor absX = Tensor.of(x.shape(), Tf32Check.abs(x.data()));
    Tensor absW = Tensor.of(w.shape(), Tf32Check.abs(w.data()));
    float[] absY = CpuOracle.forward(convNode, absX, absW).data();
    float[] absGx =
        CpuOracle.backward(
            convNode,
            new Tensor[] {absX, absW},
            Tensor.of(gy.shape(), Tf32Check.abs(gy.data())),
            true,
            false)[0]
            .data();
    float[] absC =
        naiveGemm(g, Tf32Check.abs(a), Tf32Check.abs(b), new float[g.m() * g.n()], 1f, 0f);
    Tf32Check.check(
        conv[0], conv[1], absY, d.c() * d.kernel()[0] * d.kernel()[1], "convolution forward " + d);
    Tf32Check.check(
        convBack[0],
        convBack[1],
        absGx,
        d.k() * d.kernel()[0] * d.kernel()[1],
        "convolution backward data " + d);
    Tf32Check.check(gemm[0], gemm[1], absC, g.k(), "gemm " + g);
  }

  @Test
  void undersizedBuffersAreRefusedBeforeAnythingRunsAndEveryMathModeIsSelectable() {
    ConvDescriptor d =
        new ConvDescriptor(1, 2, ints(5, 5), 3, ints(3, 3), ints(0, 0), ints(1, 1), ints(1, 1), 1);
    try (DeviceBuffer x = device.allocateFloats(d.inputCount());
        DeviceBuffer w = device.allocateFloats(d.weightCount());
        DeviceBuffer y = device.allocateFloats(d.outputCount() - 1)) {
      IndexOutOfBoundsException e =
          assertThrows(
              IndexOutOfBoundsException.class,
              () -> library().convolutionForward(d, x, w, y, 1f, 0f));
      assertTrue(e.getMessage().contains("convolution forward: y"), e.getMessage());
    }
    for (MathMode mode : MathMode.values()) {
      device.setMathMode(mode);
      assertTrue(device.mathMode() == mode);
    }
    assertThrows(NullPointerException.class, () -> device.setMathMode(null));
    device.setMathMode(MathMode.FP32);
    assertTrue(device.mathMode() == MathMode.FP32);
  }
}
