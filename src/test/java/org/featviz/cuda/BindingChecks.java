package org.featviz.cuda;

import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.cuda.CpuOracle.blend;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.cpu.OpTesting;
import org.featviz.device.ActivationMode;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.GemmBatch;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.LrnDescriptor;
import org.featviz.device.MathMode;
import org.featviz.device.PoolDescriptor;
import org.featviz.device.SoftmaxDescriptor;
import org.featviz.ir.Attributes;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * Comparisons of a device's library operations with the CPU reference on fresh random shapes: odd
 * sizes, every transpose, operands at offsets, batch 1 and many, groups, strides, dilations,
 * padding, 2-D and 3-D, alpha and beta (with NaN in an output that beta = 0 must not read). Each
 * check throws an AssertionError on the first operation whose relative error (max |got - expected|
 * / max |expected|) exceeds its bound; NaN never passes. Used by {@link CudaBindingFakeTest} on the
 * binding fake, and by {@link CudaBindingMutationTest}, which shows that the same checks fail when
 * the binding's calls are deliberately altered.
 */
final class BindingChecks {
  /** FP32 products: the fake accumulates in double, the CPU reference in float. */
  static final double FP32_TOL = 2e-5;

  /**
   * Floats of unwritten memory after each GEMM operand: a call that reads past its operand (a wrong
   * leading dimension or stride) reads them, NaN on the fake, and the comparison fails instead of
   * the access.
   */
  private static final int SLACK = 512;

  private BindingChecks() {}

  // ---- Comparison
  // -------------------------------------------------------------------------------------------------

  /**
   * max |actual - expected| / max |expected| (a zero expected scale compares absolutely); NaN or
   * Inf: +Inf.
   */
  static double relativeError(float[] expected, float[] actual) {
    if (expected.length != actual.length) return Double.POSITIVE_INFINITY;
    double scale = 0;
    double diff = 0;
    for (int i = 0; i < expected.length; i++) {
      if (!Float.isFinite(expected[i]) || !Float.isFinite(actual[i]))
        return Double.POSITIVE_INFINITY;
      scale = Math.max(scale, Math.abs(expected[i]));
      diff = Math.max(diff, Math.abs((double) actual[i] - expected[i]));
    }
    return scale == 0 ? diff : diff / scale;
  }

  static void assertRelative(float[] expected, float[] actual, double tol, String what) {
    double err = relativeError(expected, actual);
    if (!(err <= tol)) {
      StringBuilder first = new StringBuilder();
      for (int i = 0, shown = 0; i < Math.min(expected.length, actual.length) && shown < 4; i++) {
        if (expected[i] != actual[i]) {
          first.append(String.format(" [%d] expected %.7g, got %.7g;", i, expected[i], actual[i]));
          shown++;
        }
      }
      fail(what + ": relative error " + err + " > " + tol + first);
    }
  }

  /** A buffer holding values, then {@link #SLACK} floats nothing wrote. */
  private static DeviceBuffer withSlack(Device device, float[] values) {
    DeviceBuffer b = device.allocateFloats(values.length + SLACK);
    device.copyToDevice(values, 0, b, 0, values.length);
    return b;
  }

  private static float[] nans(long n) {
    float[] v = new float[(int) n];
    Arrays.fill(v, Float.NaN);
    return v;
  }

  private static float pick(Random rng, float... values) {
    return values[rng.nextInt(values.length)];
  }

  // ---- GEMM
  // -------------------------------------------------------------------------------------------------------

  static GemmDescriptor randomGemm(Random rng) {
    return new GemmDescriptor(
        rng.nextBoolean(),
        rng.nextBoolean(),
        1 + rng.nextInt(19),
        1 + rng.nextInt(19),
        1 + rng.nextInt(19));
  }

  /** The CPU reference Gemm of row-major operands: alpha op(A) op(B) + beta C. */
  private static float[] referenceGemm(
      GemmDescriptor d, float[] a, float[] b, float[] c, float alpha, float beta) {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("transA", d.transA() ? 1L : 0L);
    attrs.put("transB", d.transB() ? 1L : 0L);
    attrs.put("alpha", alpha);
    attrs.put("beta", beta);
    Tensor ta = Tensor.of(Shape.of(d.aDims()), a);
    Tensor tb = Tensor.of(Shape.of(d.bDims()), b);
    Tensor[] in =
        c == null
            ? new Tensor[] {ta, tb}
            : new Tensor[] {ta, tb, Tensor.of(Shape.of(d.m(), d.n()), c)};
    return OpTesting.forward(node("Gemm", attrs, in.length, 1), in)[0].data();
  }

  /**
   * GEMMs of random shapes and transposes, operands at offsets, with beta 0 (C NaN before) and with
   * a blend.
   */
  static void gemms(Device device, Random rng, int cases) {
    for (int t = 0; t < cases; t++) {
      GemmDescriptor d = randomGemm(rng);
      int aPos = rng.nextInt(6);
      int bPos = rng.nextInt(6);
      int cPos = rng.nextInt(6);
      float[] a = random(Shape.of(d.aDims()), rng, -1f, 1f).data();
      float[] b = random(Shape.of(d.bDims()), rng, -1f, 1f).data();
      float[] c = random(Shape.of(d.m(), d.n()), rng, -1f, 1f).data();
      float alpha = pick(rng, 1f, 0.5f, -1.25f);
      float beta = pick(rng, 1f, 0.25f, -0.5f);
      String what = "gemm " + d + " at A+" + aPos + " B+" + bPos + " C+" + cPos;
      try (DeviceBuffer da = device.allocateFloats(aPos + a.length + SLACK);
          DeviceBuffer db = device.allocateFloats(bPos + b.length + SLACK);
          DeviceBuffer dc = device.allocateFloats(cPos + c.length + SLACK)) {
        device.copyToDevice(a, 0, da, aPos, a.length);
        device.copyToDevice(b, 0, db, bPos, b.length);
        device.copyToDevice(nans(cPos + c.length), dc);
        device.library().gemm(d, da, aPos, db, bPos, dc, cPos, alpha, 0f);
        float[] got = new float[c.length];
        device.copyToHost(dc, cPos, got, 0, got.length);
        assertRelative(
            referenceGemm(d, a, b, null, alpha, 0f),
            got,
            FP32_TOL,
            what + ", alpha " + alpha + ", beta 0");
        device.copyToDevice(c, 0, dc, cPos, c.length);
        device.library().gemm(d, da, aPos, db, bPos, dc, cPos, alpha, beta);
        device.copyToHost(dc, cPos, got, 0, got.length);
        assertRelative(
            referenceGemm(d, a, b, c, alpha, beta),
            got,
            FP32_TOL,
            what + ", alpha " + alpha + ", beta " + beta);
      }
    }
  }

  /**
   * Strided-batched GEMMs: batches of 1 to 5, each operand batched (with a gap) or broadcast
   * (stride 0).
   */
  static void stridedGemms(Device device, Random rng, int cases) {
    for (int t = 0; t < cases; t++) {
      GemmDescriptor d = randomGemm(rng);
      int count = 1 + rng.nextInt(5);
      long aStride = rng.nextInt(3) == 0 ? 0 : d.aCount() + rng.nextInt(3);
      long bStride = rng.nextInt(3) == 0 ? 0 : d.bCount() + rng.nextInt(3);
      GemmBatch batch = new GemmBatch(count, aStride, bStride, d.cCount() + rng.nextInt(3));
      int aPos = rng.nextInt(4);
      int bPos = rng.nextInt(4);
      int cPos = rng.nextInt(4);
      float[] a =
          random(Shape.of((int) (aPos + GemmBatch.span(count, aStride, d.aCount()))), rng, -1f, 1f)
              .data();
      float[] b =
          random(Shape.of((int) (bPos + GemmBatch.span(count, bStride, d.bCount()))), rng, -1f, 1f)
              .data();
      float[] c =
          random(
                  Shape.of((int) (cPos + GemmBatch.span(count, batch.cStride(), d.cCount()))),
                  rng,
                  -1f,
                  1f)
              .data();
      float alpha = pick(rng, 1f, 0.75f, -2f);
      float beta = pick(rng, 0f, 1f, 0.5f);
      String what = "strided gemm " + d + " " + batch + ", alpha " + alpha + ", beta " + beta;
      try (DeviceBuffer da = withSlack(device, a);
          DeviceBuffer db = withSlack(device, b);
          DeviceBuffer dc = withSlack(device, c)) {
        device.library().gemmStridedBatched(d, batch, da, aPos, db, bPos, dc, cPos, alpha, beta);
        float[] got = device.copyToHostFloats(dc, c.length);
        for (int p = 0; p < count; p++) {
          int ao = (int) (aPos + p * aStride);
          int bo = (int) (bPos + p * bStride);
          int co = (int) (cPos + p * batch.cStride());
          float[] expected =
              referenceGemm(
                  d,
                  Arrays.copyOfRange(a, ao, ao + (int) d.aCount()),
                  Arrays.copyOfRange(b, bo, bo + (int) d.bCount()),
                  Arrays.copyOfRange(c, co, co + (int) d.cCount()),
                  alpha,
                  beta);
          assertRelative(
              expected,
              Arrays.copyOfRange(got, co, co + (int) d.cCount()),
              FP32_TOL,
              what + ", product " + p);
        }
      }
    }
  }

  // ---- Convolutions
  // -----------------------------------------------------------------------------------------------

  /**
   * A random geometry: 2-D (or 3-D one time in five), batch 1 or 2 to 4, 1 to 3 groups, stride,
   * dilation, pads.
   */
  static ConvDescriptor randomConv(Random rng) {
    int rank = rng.nextInt(5) == 0 ? 3 : 2;
    int groups = 1 + rng.nextInt(3);
    int c = groups * (1 + rng.nextInt(3));
    int k = groups * (1 + rng.nextInt(3));
    int n = rng.nextBoolean() ? 1 : 2 + rng.nextInt(3);
    int[] in = new int[rank];
    int[] kernel = new int[rank];
    int[] pads = new int[rank];
    int[] strides = new int[rank];
    int[] dilations = new int[rank];
    for (int i = 0; i < rank; i++) {
      kernel[i] = 1 + rng.nextInt(3);
      dilations[i] = 1 + rng.nextInt(2);
      strides[i] = 1 + rng.nextInt(3);
      pads[i] = rng.nextInt(3);
      int span = (kernel[i] - 1) * dilations[i] + 1;
      in[i] =
          Math.max(
              1,
              Math.max(span - 2 * pads[i], (rank == 3 ? 2 : 3) + rng.nextInt(rank == 3 ? 4 : 8)));
    }
    return new ConvDescriptor(n, c, in, k, kernel, pads, strides, dilations, groups);
  }

  /**
   * Forward (beta 0 over NaN, then a blend), backward data (a blend), and the fused conv + bias +
   * ReLU.
   */
  static void convolutions(Device device, Random rng, int cases) {
    for (int t = 0; t < cases; t++) {
      ConvDescriptor d = randomConv(rng);
      Tensor x = random(Shape.of(d.inputDims()), rng, -1f, 1f);
      Tensor w = random(Shape.of(d.weightDims()), rng, -1f, 1f);
      Tensor b = random(Shape.of(d.k()), rng, -0.5f, 0.5f);
      Node conv = CpuOracle.conv(d, 2);
      Tensor y = CpuOracle.forward(conv, x, w);
      Tensor gy = random(y.shape(), rng, -1f, 1f);
      Tensor gx = CpuOracle.backward(conv, new Tensor[] {x, w}, gy, true, false)[0];
      Tensor fused =
          CpuOracle.forward(
              new Node("relu", "Relu", List.of("x"), List.of("y"), Attributes.empty()),
              CpuOracle.forward(CpuOracle.conv(d, 3), x, w, b));
      float[] priorY = random(y.shape(), rng, -1f, 1f).data();
      float[] priorX = random(x.shape(), rng, -1f, 1f).data();
      float alpha = pick(rng, 1f, 0.5f, -1.5f);
      float beta = pick(rng, 1f, 0.25f);
      String what = d.toString();
      try (DeviceBuffer dx = device.toDevice(x.data());
          DeviceBuffer dw = device.toDevice(w.data());
          DeviceBuffer db = device.toDevice(b.data());
          DeviceBuffer dy = device.toDevice(nans(y.size()));
          DeviceBuffer dgy = device.toDevice(gy.data());
          DeviceBuffer dgx = device.toDevice(nans(x.size()))) {
        if (rng.nextBoolean()) device.library().convolutionPrepare(d);
        device.library().convolutionForward(d, dx, dw, dy, alpha, 0f);
        assertRelative(
            blend(y.data(), alpha, 0f, priorY),
            device.copyToHostFloats(dy, y.size()),
            FP32_TOL,
            "conv forward " + what + ", alpha " + alpha + ", beta 0");
        device.copyToDevice(priorY, dy);
        device.library().convolutionForward(d, dx, dw, dy, alpha, beta);
        assertRelative(
            blend(y.data(), alpha, beta, priorY),
            device.copyToHostFloats(dy, y.size()),
            FP32_TOL,
            "conv forward " + what + ", alpha " + alpha + ", beta " + beta);
        device.library().convolutionBackwardData(d, dw, dgy, dgx, alpha, 0f);
        assertRelative(
            blend(gx.data(), alpha, 0f, priorX),
            device.copyToHostFloats(dgx, x.size()),
            FP32_TOL,
            "conv backward data " + what + ", beta 0");
        device.copyToDevice(priorX, dgx);
        device.library().convolutionBackwardData(d, dw, dgy, dgx, alpha, beta);
        assertRelative(
            blend(gx.data(), alpha, beta, priorX),
            device.copyToHostFloats(dgx, x.size()),
            FP32_TOL,
            "conv backward data " + what + ", beta " + beta);
        device.copyToDevice(nans(y.size()), dy);
        device
            .library()
            .convolutionBiasActivationForward(d, ActivationMode.RELU, dx, dw, db, dy, 1f, 0f);
        assertRelative(
            fused.data(),
            device.copyToHostFloats(dy, y.size()),
            FP32_TOL,
            "relu(conv + b) " + what);
      }
    }
  }

  // ---- Pooling, activations, LRN, softmax
  // -------------------------------------------------------------------------

  static PoolDescriptor randomPool(Random rng) {
    PoolDescriptor.Mode mode = PoolDescriptor.Mode.values()[rng.nextInt(3)];
    int rank = rng.nextInt(4) == 0 ? 3 : 2;
    int[] in = new int[rank];
    int[] window = new int[rank];
    int[] pads = new int[rank];
    int[] strides = new int[rank];
    for (int i = 0; i < rank; i++) {
      window[i] = 1 + rng.nextInt(3);
      pads[i] = rng.nextInt(window[i]);
      strides[i] = 1 + rng.nextInt(3);
      in[i] = Math.max(window[i], 2 + rng.nextInt(rank == 3 ? 4 : 8));
    }
    return new PoolDescriptor(
        mode, 1 + rng.nextInt(3), 1 + rng.nextInt(4), in, window, pads, strides);
  }

  /** Pooling forward (beta 0 over NaN) and backward (a blend) in every mode; no ties for max. */
  static void poolings(Device device, Random rng, int cases) {
    for (int t = 0; t < cases; t++) {
      PoolDescriptor d = randomPool(rng);
      Node pool = CpuOracle.pool(d);
      Tensor x = OpTesting.distinct(Shape.of(d.inputDims()), rng, 0.01f);
      Tensor y = CpuOracle.forward(pool, x);
      Tensor gy = random(y.shape(), rng, -1f, 1f);
      Tensor gx = CpuOracle.backward(pool, new Tensor[] {x}, gy, true)[0];
      float[] prior = random(x.shape(), rng, -1f, 1f).data();
      float alpha = pick(rng, 1f, 0.5f);
      float beta = pick(rng, 1f, 0.75f);
      try (DeviceBuffer dx = device.toDevice(x.data());
          DeviceBuffer dy = device.toDevice(nans(y.size()));
          DeviceBuffer dgy = device.toDevice(gy.data());
          DeviceBuffer dgx = device.toDevice(prior)) {
        device.library().poolingForward(d, dx, dy, alpha, 0f);
        assertRelative(
            blend(y.data(), alpha, 0f, y.data()),
            device.copyToHostFloats(dy, y.size()),
            FP32_TOL,
            "pool " + d);
        device.library().poolingForward(d, dx, dy, 1f, 0f);
        device.library().poolingBackward(d, dx, dy, dgy, dgx, alpha, beta);
        assertRelative(
            blend(gx.data(), alpha, beta, prior),
            device.copyToHostFloats(dgx, x.size()),
            FP32_TOL,
            "pool backward " + d + ", alpha " + alpha + ", beta " + beta);
      }
    }
  }

  /**
   * Max pooling of random shapes with a few NaN inputs: NaN exactly where the CPU reference has it.
   */
  static void nanMaxPoolings(Device device, Random rng, int cases) {
    for (int t = 0; t < cases; t++) {
      PoolDescriptor r = randomPool(rng);
      PoolDescriptor d =
          new PoolDescriptor(
              PoolDescriptor.Mode.MAX, r.n(), r.c(), r.in(), r.window(), r.pads(), r.strides());
      Tensor x = random(Shape.of(d.inputDims()), rng, -1f, 1f);
      for (int i = 0; i < x.size(); i += 1 + rng.nextInt(7)) x.data()[i] = Float.NaN;
      float[] y = CpuOracle.forward(CpuOracle.pool(d), x).data();
      try (DeviceBuffer dx = device.toDevice(x.data());
          DeviceBuffer dy = device.allocateFloats(y.length)) {
        device.library().poolingForward(d, dx, dy, 1f, 0f);
        float[] got = device.copyToHostFloats(dy, y.length);
        for (int i = 0; i < y.length; i++) {
          if (Float.isNaN(y[i]) != Float.isNaN(got[i]) || (!Float.isNaN(y[i]) && y[i] != got[i])) {
            fail(
                "max pooling with NaN inputs "
                    + d
                    + ": output "
                    + i
                    + " expected "
                    + y[i]
                    + ", got "
                    + got[i]);
          }
        }
      }
    }
  }

  /** Activations, LRN and softmax of random sizes, forward and backward, with blends. */
  static void pointwise(Device device, Random rng, int cases) {
    for (int t = 0; t < cases; t++) {
      ActivationMode mode = ActivationMode.values()[rng.nextInt(ActivationMode.values().length)];
      int count = 1 + rng.nextInt(400);
      Node act =
          node(
              switch (mode) {
                case RELU -> "Relu";
                case SIGMOID -> "Sigmoid";
                case TANH -> "Tanh";
              },
              Map.of(),
              1,
              1);
      Tensor x = OpTesting.distinct(Shape.of(count), rng, 0.02f);
      Tensor y = CpuOracle.forward(act, x);
      Tensor gy = random(y.shape(), rng, -1f, 1f);
      Tensor gx = CpuOracle.backward(act, new Tensor[] {x}, gy, true)[0];
      float[] prior = random(x.shape(), rng, -1f, 1f).data();
      try (DeviceBuffer dx = device.toDevice(x.data());
          DeviceBuffer dy = device.toDevice(nans(count));
          DeviceBuffer dgy = device.toDevice(gy.data());
          DeviceBuffer dgx = device.toDevice(prior)) {
        device.library().activationForward(mode, count, dx, dy, 1f, 0f);
        assertRelative(
            y.data(), device.copyToHostFloats(dy, count), FP32_TOL, mode + " of " + count);
        device.library().activationBackward(mode, count, dx, dy, dgy, dgx, 0.5f, 1f);
        assertRelative(
            blend(gx.data(), 0.5f, 1f, prior),
            device.copyToHostFloats(dgx, count),
            FP32_TOL,
            mode + " backward of " + count);
      }

      int c = 1 + rng.nextInt(9);
      int size = 1 + rng.nextInt(7);
      LrnDescriptor l =
          new LrnDescriptor(
              1 + rng.nextInt(3),
              c,
              1 + rng.nextInt(12),
              size,
              pick(rng, 1e-4f, 0.02f, 0.5f),
              pick(rng, 0.75f, 0.5f, 1f),
              pick(rng, 1f, 2f, 0.5f));
      Node lrn =
          node(
              "LRN",
              Map.of("size", (long) size, "alpha", l.alpha(), "beta", l.beta(), "bias", l.bias()),
              1,
              1);
      Tensor lx = random(Shape.of(l.n(), l.c(), l.s()), rng, -2f, 2f);
      Tensor ly = CpuOracle.forward(lrn, lx);
      Tensor lgy = random(ly.shape(), rng, -1f, 1f);
      Tensor lgx = CpuOracle.backward(lrn, new Tensor[] {lx}, lgy, true)[0];
      try (DeviceBuffer dx = device.toDevice(lx.data());
          DeviceBuffer dy = device.toDevice(nans(ly.size()));
          DeviceBuffer dgy = device.toDevice(lgy.data());
          DeviceBuffer dgx = device.toDevice(nans(lx.size()))) {
        device.library().lrnForward(l, dx, dy, 1f, 0f);
        assertRelative(ly.data(), device.copyToHostFloats(dy, ly.size()), FP32_TOL, "lrn " + l);
        device.library().lrnBackward(l, dx, dy, dgy, dgx, 1f, 0f);
        assertRelative(
            lgx.data(), device.copyToHostFloats(dgx, lx.size()), 1e-4, "lrn backward " + l);
      }

      SoftmaxDescriptor s =
          new SoftmaxDescriptor(1 + rng.nextInt(4), 1 + rng.nextInt(9), 1 + rng.nextInt(5));
      Node softmax = node("Softmax", Map.of("axis", 1L), 1, 1);
      Tensor sx = random(Shape.of(s.outer(), s.length(), s.inner()), rng, -3f, 3f);
      Tensor sy = CpuOracle.forward(softmax, sx);
      Tensor sgy = random(sy.shape(), rng, -1f, 1f);
      Tensor sgx = CpuOracle.backward(softmax, new Tensor[] {sx}, sgy, true)[0];
      float[] sPrior = random(sx.shape(), rng, -1f, 1f).data();
      try (DeviceBuffer dx = device.toDevice(sx.data());
          DeviceBuffer dy = device.toDevice(nans(sy.size()));
          DeviceBuffer dgy = device.toDevice(sgy.data());
          DeviceBuffer dgx = device.toDevice(sPrior)) {
        device.library().softmaxForward(s, dx, dy, 1f, 0f);
        assertRelative(sy.data(), device.copyToHostFloats(dy, sy.size()), FP32_TOL, "softmax " + s);
        device.library().softmaxBackward(s, dy, dgy, dgx, 2f, 0.5f);
        assertRelative(
            blend(sgx.data(), 2f, 0.5f, sPrior),
            device.copyToHostFloats(dgx, sx.size()),
            FP32_TOL,
            "softmax backward " + s);
      }
    }
  }

  // ---- 16-bit operands (called on the binding directly: the fake runs no conversion kernels)
  // ----------------------

  /** Random values that the format holds exactly. */
  static float[] sixteenBitValues(MathMode format, Random rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++)
      v[i] = format.fromSixteenBits(format.toSixteenBits(2 * rng.nextFloat() - 1));
    return v;
  }

  /**
   * A buffer of 16-bit elements holding values (exact in the format) from element {@code at}; the
   * rest NaN.
   */
  private static DeviceBuffer upload16(
      Device device, MathMode format, float[] values, int at, int total) {
    int[] words = new int[(total + 1) / 2];
    Arrays.fill(words, -1); // 0xFFFF halves: NaN in both formats
    for (int i = 0; i < values.length; i++) {
      int e = at + i;
      int bits = format.toSixteenBits(values[i]) & 0xffff;
      words[e / 2] =
          e % 2 == 0 ? (words[e / 2] & 0xffff0000) | bits : (words[e / 2] & 0xffff) | (bits << 16);
    }
    return device.toDevice(words);
  }

  /** Elements [at, at + count) of a 16-bit buffer, decoded with the fake's own decoders. */
  private static float[] download16(
      Device device, MathMode format, DeviceBuffer buffer, int at, int count) {
    int[] words = device.copyToHostInts(buffer, (int) (buffer.bytes() / 4));
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      int e = at + i;
      int bits = (words[e / 2] >>> (e % 2 == 0 ? 0 : 16)) & 0xffff;
      v[i] =
          format == MathMode.BF16 ? Float.intBitsToFloat(bits << 16) : FakeMemory.halfToFloat(bits);
    }
    return v;
  }

  /** gemm16 and its strided-batched form on 16-bit operands at odd element offsets, C FP32. */
  static void gemms16(FakeCudaDevice device, MathMode format, Random rng, int cases) {
    for (int t = 0; t < cases; t++) {
      GemmDescriptor d = randomGemm(rng);
      int count = 1 + rng.nextInt(3);
      GemmBatch batch =
          new GemmBatch(count, rng.nextBoolean() ? 0 : d.aCount() + 1, d.bCount(), d.cCount() + 2);
      int aAt = 1 + 2 * rng.nextInt(3);
      int bAt = 2 * rng.nextInt(3);
      int cPos = rng.nextInt(3);
      int aSpan = (int) GemmBatch.span(count, batch.aStride(), d.aCount());
      int bSpan = (int) GemmBatch.span(count, batch.bStride(), d.bCount());
      int cSpan = (int) GemmBatch.span(count, batch.cStride(), d.cCount());
      float[] a = sixteenBitValues(format, rng, aSpan);
      float[] b = sixteenBitValues(format, rng, bSpan);
      float[] c = random(Shape.of(cPos + cSpan), rng, -1f, 1f).data();
      String what = format + " gemm " + d + " " + batch;
      try (DeviceBuffer da = upload16(device, format, a, aAt, aAt + aSpan + 1);
          DeviceBuffer db = upload16(device, format, b, bAt, bAt + bSpan);
          DeviceBuffer dc = device.toDevice(c)) {
        device.library().gemm16(format, d, da, 2L * aAt, db, 2L * bAt, dc, cPos, 1f, 0.5f);
        float[] got = device.copyToHostFloats(dc, c.length);
        float[] expected =
            referenceGemm(
                d,
                Arrays.copyOf(a, (int) d.aCount()),
                Arrays.copyOf(b, (int) d.bCount()),
                Arrays.copyOfRange(c, cPos, cPos + (int) d.cCount()),
                1f,
                0.5f);
        assertRelative(
            expected, Arrays.copyOfRange(got, cPos, cPos + (int) d.cCount()), FP32_TOL, what);
        device.copyToDevice(c, dc);
        device
            .library()
            .gemmStridedBatched16(format, d, batch, da, 2L * aAt, db, 2L * bAt, dc, cPos, 0.5f, 1f);
        got = device.copyToHostFloats(dc, c.length);
        for (int p = 0; p < count; p++) {
          int ao = (int) (p * batch.aStride());
          int bo = (int) (p * batch.bStride());
          int co = (int) (cPos + p * batch.cStride());
          expected =
              referenceGemm(
                  d,
                  Arrays.copyOfRange(a, ao, ao + (int) d.aCount()),
                  Arrays.copyOfRange(b, bo, bo + (int) d.bCount()),
                  Arrays.copyOfRange(c, co, co + (int) d.cCount()),
                  0.5f,
                  1f);
          assertRelative(
              expected,
              Arrays.copyOfRange(got, co, co + (int) d.cCount()),
              FP32_TOL,
              what + " strided, product " + p);
        }
      }
    }
  }

  /**
   * convolutionForward16 and convolutionBackwardData16 on 16-bit operands at element offsets: the
   * output, written in the format, within one unit in the last place of the format (at the expected
   * value's magnitude) of the CPU reference.
   */
  static void convolutions16(FakeCudaDevice device, MathMode format, Random rng, int cases) {
    double ulp = format == MathMode.BF16 ? 0x1p-7 : 0x1p-10;
    for (int t = 0; t < cases; t++) {
      ConvDescriptor d = randomConv(rng);
      Conv16Operands o = new Conv16Operands(format, d, rng);
      Node conv = CpuOracle.conv(d, 2);
      Tensor x = Tensor.of(Shape.of(d.inputDims()), o.x);
      Tensor w = Tensor.of(Shape.of(d.weightDims()), o.w);
      Tensor y = CpuOracle.forward(conv, x, w);
      Tensor gy = Tensor.of(y.shape(), sixteenBitValues(format, rng, y.size()));
      Tensor gx = CpuOracle.backward(conv, new Tensor[] {x, w}, gy, true, false)[0];
      int xAt = 1;
      int wAt = 3;
      int yAt = 2;
      try (DeviceBuffer dx = upload16(device, format, o.x, xAt, xAt + o.x.length);
          DeviceBuffer dw = upload16(device, format, o.w, wAt, wAt + o.w.length);
          DeviceBuffer dy = upload16(device, format, new float[0], 0, yAt + y.size());
          DeviceBuffer dgy = upload16(device, format, gy.data(), yAt, yAt + y.size());
          DeviceBuffer dgx = upload16(device, format, new float[0], 0, xAt + x.size())) {
        DeviceLibrary convs = device.library();
        convs.convolutionForward16(format, d, dx, 2L * xAt, dw, 2L * wAt, dy, 2L * yAt);
        assertWithinUlp(
            y.data(),
            download16(device, format, dy, yAt, y.size()),
            ulp,
            format + " conv forward " + d);
        convs.convolutionBackwardData16(format, d, dw, 2L * wAt, dgy, 2L * yAt, dgx, 2L * xAt);
        assertWithinUlp(
            gx.data(),
            download16(device, format, dgx, xAt, x.size()),
            ulp,
            format + " conv backward data " + d);
      }
    }
  }

  private record Conv16Operands(float[] x, float[] w) {
    Conv16Operands(MathMode format, ConvDescriptor d, Random rng) {
      this(
          sixteenBitValues(format, rng, (int) d.inputCount()),
          sixteenBitValues(format, rng, (int) d.weightCount()));
    }
  }

  /** |got - expected| <= ulp |expected| + 1e-5 max |expected| elementwise; NaN never passes. */
  private static void assertWithinUlp(float[] expected, float[] got, double ulp, String what) {
    double scale = 0;
    for (float e : expected) scale = Math.max(scale, Math.abs(e));
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs((double) got[i] - expected[i]);
      if (!(err <= ulp * Math.abs(expected[i]) + 1e-5 * scale)) {
        fail(what + ": element " + i + " expected " + expected[i] + ", got " + got[i]);
      }
    }
  }
}
