package org.featviz.device.emu;

import static org.featviz.Literals.ints;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.featviz.cuda.CpuOracle;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceTesting;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.MathMode;
import org.featviz.device.Tf32Check;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TF32 math mode on the emulator: convolutions and GEMMs round their operands to TF32 (10-bit
 * mantissa) and accumulate in FP32. Each result is checked twice: against a plain double-precision
 * reference on TF32-rounded inputs (so the rounding is applied to exactly the operands, and nothing
 * else), and against the FP32 result within {@link Tf32Check}'s bounds (the ones a GPU is held to:
 * no more than TF32 operands explain, per element and overall, and not less than TF32 gives at all;
 * measured here about 2.6e-4 relative L2 for reductions of 144 to 300).
 */
class Tf32EmuTest {
  private final EmulatedDevice device = new EmulatedDevice();
  private final Random rng = new Random(7);

  @AfterEach
  void close() {
    device.close();
  }

  @Test
  void convolutionForwardRoundsItsOperandsToTf32() {
    // x [N=2, C=32, 10, 10], w [K=8, C=32, 3, 3], pad 1: each output sums 288 products.
    ConvDescriptor d =
        new ConvDescriptor(
            2, 32, ints(10, 10), 8, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
    float[] x = uniform((int) d.inputCount());
    float[] w = uniform((int) d.weightCount());
    float[] fp32 = convForward(d, x, w, MathMode.FP32);
    float[] tf32 = convForward(d, x, w, MathMode.TF32);
    assertClose(
        conv(d, tf32(x), tf32(w)),
        tf32,
        1e-5,
        1e-5,
        "TF32 conv against a reference on rounded inputs");
    assertClose(conv(d, x, w), fp32, 1e-5, 1e-5, "FP32 conv against the unrounded reference");
    Tf32Check.check(
        fp32, tf32, conv(d, Tf32Check.abs(x), Tf32Check.abs(w)), 32 * 9, "conv forward");
  }

  @Test
  void convolutionBackwardDataRoundsItsOperandsToTf32() {
    ConvDescriptor d =
        new ConvDescriptor(
            1, 16, ints(8, 8), 24, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
    float[] w = uniform((int) d.weightCount());
    float[] dy = uniform((int) d.outputCount());
    float[][] dx = new float[2][];
    for (MathMode mode : new MathMode[] {MathMode.FP32, MathMode.TF32}) {
      device.setMathMode(mode);
      try (DeviceBuffer bw = device.toDevice(w);
          DeviceBuffer bdy = device.toDevice(dy);
          DeviceBuffer bdx = device.allocateFloats((int) d.inputCount())) {
        device.library().convolutionBackwardData(d, bw, bdy, bdx, 1f, 0f);
        dx[mode.ordinal()] = device.copyToHostFloats(bdx, (int) d.inputCount());
      }
    }
    float[] absDx =
        CpuOracle.backward(
            CpuOracle.conv(d, 2),
            new Tensor[] {
              Tensor.zeros(Shape.of(d.inputDims())),
              Tensor.of(Shape.of(d.weightDims()), Tf32Check.abs(w))
            },
            Tensor.of(Shape.of(d.outputDims()), Tf32Check.abs(dy)),
            true,
            false)[0]
            .data();
    Tf32Check.check(dx[0], dx[1], absDx, 24 * 9, "conv backward data");
  }

  @Test
  void gemmRoundsAAndBButNotC() {
    // C [M=16, N=12] = 0.5 A [16, 300] B^T ([12, 300] stored) + 2 C: K = 300.
    GemmDescriptor d = new GemmDescriptor(false, true, 16, 12, 300);
    float[] a = uniform(16 * 300);
    float[] b = uniform(12 * 300);
    float[] c = uniform(16 * 12);
    float[] fp32 = gemm(d, a, b, c, MathMode.FP32);
    float[] tf32 = gemm(d, a, b, c, MathMode.TF32);
    assertClose(
        gemmReference(d, tf32(a), tf32(b), c),
        tf32,
        1e-5,
        1e-5,
        "TF32 GEMM against rounded A and B");
    assertClose(
        gemmReference(d, a, b, c), fp32, 1e-5, 1e-5, "FP32 GEMM against the unrounded reference");
    Tf32Check.check(
        fp32,
        tf32,
        gemmReference(d, Tf32Check.abs(a), Tf32Check.abs(b), Tf32Check.abs(c)),
        300,
        "gemm");
  }

  @Test
  void otherLibraryOperationsIgnoreTheMathMode() {
    float[] x = uniform(50);
    float[][] y = new float[2][];
    for (MathMode mode : new MathMode[] {MathMode.FP32, MathMode.TF32}) {
      device.setMathMode(mode);
      try (DeviceBuffer bx = device.toDevice(x);
          DeviceBuffer by = device.allocateFloats(x.length)) {
        device
            .library()
            .activationForward(org.featviz.device.ActivationMode.SIGMOID, x.length, bx, by, 1f, 0f);
        y[mode.ordinal()] = device.copyToHostFloats(by, x.length);
      }
    }
    assertEquals(java.util.Arrays.toString(y[0]), java.util.Arrays.toString(y[1]));
  }

  // ---- Helpers
  // ---------------------------------------------------------------------------------------------------

  private float[] convForward(ConvDescriptor d, float[] x, float[] w, MathMode mode) {
    device.setMathMode(mode);
    try (DeviceBuffer bx = device.toDevice(x);
        DeviceBuffer bw = device.toDevice(w);
        DeviceBuffer by = device.allocateFloats((int) d.outputCount())) {
      device.library().convolutionForward(d, bx, bw, by, 1f, 0f);
      return device.copyToHostFloats(by, (int) d.outputCount());
    }
  }

  private float[] gemm(GemmDescriptor d, float[] a, float[] b, float[] c, MathMode mode) {
    device.setMathMode(mode);
    try (DeviceBuffer ba = device.toDevice(a);
        DeviceBuffer bb = device.toDevice(b);
        DeviceBuffer bc = device.toDevice(c)) {
      device.library().gemm(d, ba, 0, bb, 0, bc, 0, 0.5f, 2f);
      return device.copyToHostFloats(bc, c.length);
    }
  }

  /** y [N, K, H, W] of a stride-1, ungrouped, 2-D convolution, accumulated in double. */
  private static float[] conv(ConvDescriptor d, float[] x, float[] w) {
    int n = d.n(),
        c = d.c(),
        k = d.k(),
        h = d.in()[0],
        wd = d.in()[1],
        kh = d.kernel()[0],
        kw = d.kernel()[1];
    int p = d.pads()[0], q = d.pads()[1];
    int oh = h + 2 * p - kh + 1, ow = wd + 2 * q - kw + 1;
    float[] y = new float[n * k * oh * ow];
    for (int b = 0; b < n; b++) {
      for (int o = 0; o < k; o++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            double s = 0;
            for (int ch = 0; ch < c; ch++) {
              for (int u = 0; u < kh; u++) {
                for (int v = 0; v < kw; v++) {
                  int r = i + u - p, t = j + v - q;
                  if (r < 0 || r >= h || t < 0 || t >= wd) continue;
                  s +=
                      (double) x[((b * c + ch) * h + r) * wd + t]
                          * w[((o * c + ch) * kh + u) * kw + v];
                }
              }
            }
            y[((b * k + o) * oh + i) * ow + j] = (float) s;
          }
        }
      }
    }
    return y;
  }

  /** 0.5 A B^T + 2 C for A [M, K] and B stored [N, K], in double. */
  private static float[] gemmReference(GemmDescriptor d, float[] a, float[] b, float[] c) {
    float[] r = new float[d.m() * d.n()];
    for (int i = 0; i < d.m(); i++) {
      for (int j = 0; j < d.n(); j++) {
        double s = 0;
        for (int t = 0; t < d.k(); t++) s += (double) a[i * d.k() + t] * b[j * d.k() + t];
        r[i * d.n() + j] = (float) (0.5 * s + 2.0 * c[i * d.n() + j]);
      }
    }
    return r;
  }

  private static float[] tf32(float[] v) {
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) r[i] = MathMode.roundToTf32(v[i]);
    return r;
  }

  private float[] uniform(int count) {
    return DeviceTesting.uniform(rng, count, -1f, 1f);
  }
}
