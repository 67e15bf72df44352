package org.featviz.device;

import static org.featviz.Literals.ints;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.Function;
import org.featviz.ir.Shape;
import org.featviz.plan.MixedPrecision;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The BF16 and FP16 math modes (MixedPrecision) against FP32 on the same device, for every
 * operation they change: convolution forward and backward-data (with beta 1: the gradient sum stays
 * FP32), the fused convolution + bias + ReLU, GEMM in every transpose combination with alpha, beta
 * and offsets, and the strided-batched GEMM with a broadcast operand and odd strides. Each
 * difference, max |16-bit - FP32| over max |FP32| (the output scale), must lie between a floor (the
 * operands were rounded at all) and the mode's bound, about four times what the emulator shows
 * (printed). Also: the staging arena is reserved by convolutionPrepare and reserve, so a prepared
 * call allocates nothing; operations without products ignore the mode, and the library's FP32
 * products refuse to run in a 16-bit mode. The operations run through a plan's {@link
 * MixedPrecision} (here on its own), which stages the 16-bit operands for the device library. Run
 * on the emulator (MixedPrecisionEmuTest, which adds exact checks against rounded references) and
 * on a GPU (GpuTest$MixedPrecision, tag gpu).
 */
public abstract class MixedPrecisionCases extends DeviceCases {
  /** These tests measure the staging arena from a fresh device: one device per test. */
  @Override
  protected boolean shareDevice() {
    return false;
  }

  /**
   * The convolutions and GEMMs under test, on the test's device (its arena freed when the device
   * closes).
   */
  protected MixedPrecision mixed;

  @BeforeEach
  void openMixedPrecision() {
    mixed = new MixedPrecision(device);
  }

  /** Below any 16-bit difference seen (FP32 against itself gives 0). */
  private static final double FLOOR = 1e-5;

  private final Random rng = new Random(16);

  /**
   * The bound on the relative difference from FP32, three to four times the emulator's largest on
   * these inputs (reductions of 65 to 300 terms): BF16 1.7e-3 to 2.9e-3, FP16 1.8e-4 to 3.7e-4.
   */
  protected static double bound(MathMode mode) {
    return mode == MathMode.BF16 ? 1e-2 : 1.5e-3;
  }

  @Test
  void convolutionForwardAndBackwardDataStayCloseToFp32() {
    // x [N=2, C=32, 10, 10], w [K=8, C=32, 3, 3], pad 1: each output sums 288 products.
    ConvDescriptor d =
        new ConvDescriptor(
            2, 32, ints(10, 10), 8, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
    float[] x = uniform((int) d.inputCount(), 1f);
    float[] w = uniform((int) d.weightCount(), 0.5f);
    float[] dy = uniform((int) d.outputCount(), 1f);
    float[] priorDx = uniform((int) d.inputCount(), 1f);
    try (DeviceBuffer bx = device.toDevice(x);
        DeviceBuffer bw = device.toDevice(w);
        DeviceBuffer bdy = device.toDevice(dy);
        DeviceBuffer out = device.allocateFloats(Math.max(d.inputCount(), d.outputCount()))) {
      compareModes(
          "conv forward",
          mode -> {
            mixed.convolutionPrepare(d);
            mixed.convolutionForward(d, bx, bw, out, 1f, 0f);
            return device.copyToHostFloats(out, (int) d.outputCount());
          });
      compareModes(
          "conv backward data, beta 1",
          mode -> {
            device.copyToDevice(priorDx, out);
            mixed.convolutionBackwardData(d, bw, bdy, out, 0.5f, 1f);
            return device.copyToHostFloats(out, (int) d.inputCount());
          });
    }
  }

  @Test
  void fusedConvolutionBiasReluStaysCloseToFp32() {
    ConvDescriptor d =
        new ConvDescriptor(
            2, 16, ints(7, 9), 12, ints(3, 3), ints(1, 0), ints(1, 2), ints(1, 1), 2);
    float[] x = uniform((int) d.inputCount(), 1f);
    float[] w = uniform((int) d.weightCount(), 0.5f);
    float[] bias = uniform(d.k(), 0.5f);
    try (DeviceBuffer bx = device.toDevice(x);
        DeviceBuffer bw = device.toDevice(w);
        DeviceBuffer bb = device.toDevice(bias);
        DeviceBuffer y = device.allocateFloats(d.outputCount())) {
      compareModes(
          "conv + bias + relu",
          mode -> {
            mixed.convolutionPrepare(d);
            mixed.convolutionBiasActivationForward(d, ActivationMode.RELU, bx, bw, bb, y, 1f, 0f);
            float[] r = device.copyToHostFloats(y, (int) d.outputCount());
            for (float v : r) if (!(v >= 0)) fail(mode + ": conv + bias + relu gave " + v);
            return r;
          });
    }
  }

  @Test
  void gemmStaysCloseToFp32InEveryTransposeCombination() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        GemmDescriptor d = new GemmDescriptor(ta, tb, 17, 12, 300);
        float[] a = uniform((int) d.aCount(), 1f);
        float[] b = uniform((int) d.bCount(), 1f);
        float[] c = uniform((int) d.cCount(), 1f);
        int offA = 3; // odd float offsets, as MatMul's batch slices have
        int offB = 5;
        int offC = 1;
        try (DeviceBuffer da = device.allocateFloats(a.length + offA);
            DeviceBuffer db = device.allocateFloats(b.length + offB);
            DeviceBuffer dc = device.allocateFloats(c.length + offC)) {
          device.copyToDevice(a, 0, da, offA, a.length);
          device.copyToDevice(b, 0, db, offB, b.length);
          compareModes(
              "gemm transA " + ta + " transB " + tb,
              mode -> {
                device.copyToDevice(c, 0, dc, offC, c.length);
                mixed.gemm(d, da, offA, db, offB, dc, offC, 0.5f, 2f);
                float[] r = new float[c.length];
                device.copyToHost(dc, offC, r, 0, r.length);
                return r;
              });
        }
      }
    }
  }

  @Test
  void stridedBatchedGemmWithABroadcastOperandStaysCloseToFp32() {
    // 3 products C[i] [9, 11] = A[i] [9, 65] B [65, 11]; A's stride 9 * 65 + 1 (odd, a gap), B
    // broadcast (stride 0).
    GemmDescriptor d = new GemmDescriptor(false, false, 9, 11, 65);
    GemmBatch batch = new GemmBatch(3, d.aCount() + 1, 0, d.cCount());
    float[] a = uniform((int) GemmBatch.span(3, batch.aStride(), d.aCount()), 1f);
    float[] b = uniform((int) d.bCount(), 1f);
    try (DeviceBuffer da = device.toDevice(a);
        DeviceBuffer db = device.toDevice(b);
        DeviceBuffer dc = device.allocateFloats(3 * d.cCount())) {
      compareModes(
          "strided-batched gemm",
          mode -> {
            mixed.gemmStridedBatched(d, batch, da, 0, db, 0, dc, 0, 1f, 0f);
            float[] r = device.copyToHostFloats(dc, (int) (3 * d.cCount()));
            if (mode.isSixteenBit()) { // the same as three single 16-bit GEMMs
              mixed.gemm(d, da, 2 * batch.aStride(), db, 0, dc, 0, 1f, 0f);
              float[] last = device.copyToHostFloats(dc, (int) d.cCount());
              for (int i = 0; i < last.length; i++) {
                assertEquals(
                    last[i],
                    r[(int) (2 * d.cCount()) + i],
                    1e-5 * (1 + Math.abs(last[i])),
                    mode + ": batched product 2 against a single GEMM at " + i);
              }
            }
            return r;
          });
    }
  }

  @Test
  void preparedConvolutionsAllocateNothingWhenTheyRun() {
    ConvDescriptor d =
        new ConvDescriptor(1, 8, ints(6, 6), 4, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
    GemmDescriptor g = new GemmDescriptor(false, true, 40, 30, 50);
    try (DeviceBuffer x = device.toDevice(uniform((int) d.inputCount(), 1f));
        DeviceBuffer w = device.toDevice(uniform((int) d.weightCount(), 1f));
        DeviceBuffer y = device.allocateFloats(d.outputCount());
        DeviceBuffer a = device.toDevice(uniform((int) g.aCount(), 1f));
        DeviceBuffer b = device.toDevice(uniform((int) g.bCount(), 1f));
        DeviceBuffer c = device.allocateFloats(g.cCount())) {
      device.setMathMode(MathMode.FP32);
      mixed.convolutionPrepare(d);
      assertEquals(0, mixed.arenaBytes(), "FP32 stages nothing");
      for (MathMode mode : new MathMode[] {MathMode.BF16, MathMode.FP16}) {
        device.setMathMode(mode);
        mixed.convolutionPrepare(d);
        long staged = mixed.arenaBytes();
        assertTrue(
            staged >= MixedPrecision.convolutionBytes(d), mode + ": prepare reserves the staging");
        mixed.reserve(MixedPrecision.gemmBytes(g));
        staged = mixed.arenaBytes();
        assertTrue(staged >= MixedPrecision.gemmBytes(g), mode + ": reserve grows the arena");
        mixed.convolutionForward(d, x, w, y, 1f, 0f);
        mixed.convolutionBackwardData(d, w, y, x, 1f, 0f);
        mixed.gemm(g, a, 0, b, 0, c, 0, 1f, 0f);
        device.synchronize();
        assertEquals(staged, mixed.arenaBytes(), mode + ": the arena did not grow while running");
      }
    } finally {
      device.setMathMode(MathMode.FP32);
    }
    assertEquals(
        MixedPrecision.stagingBytes(100, 7), 256 + 256, "each operand from a 256-byte boundary");
  }

  @Test
  void theLibrarysFp32ProductsRefuseSixteenBitModes() {
    ConvDescriptor d =
        new ConvDescriptor(1, 2, ints(4, 4), 3, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
    GemmDescriptor g = new GemmDescriptor(false, false, 3, 4, 5);
    try (DeviceBuffer x = device.allocateFloats(d.inputCount());
        DeviceBuffer w = device.allocateFloats(d.weightCount());
        DeviceBuffer y = device.allocateFloats(d.outputCount())) {
      for (MathMode mode : new MathMode[] {MathMode.BF16, MathMode.FP16}) {
        device.setMathMode(mode);
        IllegalStateException e =
            assertThrows(
                IllegalStateException.class,
                () -> library().convolutionForward(d, x, w, y, 1f, 0f));
        assertTrue(e.getMessage().contains(mode + " is mixed precision"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> library().gemm(g, x, w, y, 1f, 0f));
      }
    } finally {
      device.setMathMode(MathMode.FP32);
    }
  }

  @Test
  void operationsWithoutProductsIgnoreTheMode() {
    float[] x = uniform(300, 4f);
    float[][] y = new float[MathMode.values().length][];
    try (DeviceBuffer bx = device.toDevice(x);
        DeviceBuffer by = device.allocateFloats(x.length)) {
      for (MathMode mode : MathMode.values()) {
        device.setMathMode(mode);
        library().activationForward(ActivationMode.TANH, x.length, bx, by, 1f, 0f);
        y[mode.ordinal()] = device.copyToHostFloats(by, x.length);
      }
    } finally {
      device.setMathMode(MathMode.FP32);
    }
    for (MathMode mode : MathMode.values()) {
      assertEquals(
          java.util.Arrays.toString(y[0]),
          java.util.Arrays.toString(y[mode.ordinal()]),
          mode.name());
    }
  }

  // ---- Helpers
  // ---------------------------------------------------------------------------------------------------

  /**
   * Runs {@code op} in FP32, BF16 and FP16 (the device's mode set before each run, FP32 again
   * after) and checks each 16-bit result against FP32: relative difference above the floor and
   * below the mode's bound; NaN fails.
   */
  private void compareModes(String what, Function<MathMode, float[]> op) {
    float[] fp32;
    float[][] half = new float[2][];
    try {
      device.setMathMode(MathMode.FP32);
      fp32 = op.apply(MathMode.FP32);
      device.setMathMode(MathMode.BF16);
      half[0] = op.apply(MathMode.BF16);
      device.setMathMode(MathMode.FP16);
      half[1] = op.apply(MathMode.FP16);
    } finally {
      device.setMathMode(MathMode.FP32);
    }
    assertDifference(MathMode.BF16, fp32, half[0], what);
    assertDifference(MathMode.FP16, fp32, half[1], what);
  }

  /** max |result - fp32| / max |fp32|, which must lie between the floor and the mode's bound. */
  protected static double assertDifference(
      MathMode mode, float[] fp32, float[] result, String what) {
    double scale = 0;
    double diff = 0;
    for (int i = 0; i < fp32.length; i++) {
      if (!Float.isFinite(result[i]))
        fail(mode + " " + what + ": element " + i + " is " + result[i]);
      scale = Math.max(scale, Math.abs(fp32[i]));
      diff = Math.max(diff, Math.abs(fp32[i] - result[i]));
    }
    double relative = diff / scale;
    System.out.printf(
        "%s vs FP32, %s: max |diff| %.3g, output scale %.3g, relative %.3g%n",
        mode, what, diff, scale, relative);
    assertTrue(
        relative > FLOOR,
        mode + " " + what + ": differs from FP32 by only " + relative + ": no rounding?");
    assertTrue(
        relative < bound(mode),
        mode
            + " "
            + what
            + ": differs from FP32 by "
            + relative
            + " of the output scale (bound "
            + bound(mode)
            + ")");
    return relative;
  }

  /** Uniform in [-scale, scale). */
  protected float[] uniform(int n, float scale) {
    return random(Shape.of(n), rng, -scale, scale).data();
  }
}
