package org.featviz.device.emu;

import static org.featviz.Literals.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.featviz.device.ActivationMode;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.GemmBatch;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.MathMode;
import org.featviz.device.MixedPrecisionCases;
import org.junit.jupiter.api.Test;

/**
 * The BF16 and FP16 math modes on the emulator: the comparisons with FP32 of MixedPrecisionCases,
 * and exact checks of what the emulator computes. A 16-bit convolution must equal, bit for bit, the
 * FP32 convolution of the operands rounded by MathMode.roundToBf16 / roundToFp16 with its output
 * rounded the same way; a 16-bit GEMM the FP32 GEMM of rounded A and B with C untouched by
 * rounding. (The emulator's FP32 path is the CPU reference, checked by EmuTest$LibraryOps; the
 * rounding functions by HalfFloatsTest.) So the conversion kernels, the staging offsets and the
 * 16-bit reads and writes are exact, and the 16-bit error is only the rounding the GPU applies too.
 */
class MixedPrecisionEmuTest extends MixedPrecisionCases {
  private static final MathMode[] FORMATS = {MathMode.BF16, MathMode.FP16};

  @Override
  protected Device openDevice() {
    return new EmulatedDevice(1L << 30); // a limit, so freeMemoryBytes shows any allocation
  }

  @Test
  void convolutionsEqualFp32OnRoundedOperandsWithTheOutputRounded() {
    ConvDescriptor d =
        new ConvDescriptor(2, 6, ints(9, 7), 5, ints(3, 2), ints(1, 1), ints(2, 1), ints(1, 2), 1);
    float[] x = uniform((int) d.inputCount(), 3f);
    float[] w = uniform((int) d.weightCount(), 1f);
    float[] dy = uniform((int) d.outputCount(), 2f);
    for (MathMode format : FORMATS) {
      float[] y16 = conv(format, d, x, w, false);
      float[] expected =
          round(format, conv(MathMode.FP32, d, round(format, x), round(format, w), false));
      assertBits(expected, y16, format + " conv forward");
      float[] dx16 = conv(format, d, w, dy, true);
      float[] expectedDx =
          round(format, conv(MathMode.FP32, d, round(format, w), round(format, dy), true));
      assertBits(expectedDx, dx16, format + " conv backward data");
    }
  }

  @Test
  void fusedConvolutionRoundsOnlyTheConvolutionThenAddsBiasAndReluInFp32() {
    ConvDescriptor d =
        new ConvDescriptor(1, 4, ints(6, 6), 3, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
    float[] x = uniform((int) d.inputCount(), 1f);
    float[] w = uniform((int) d.weightCount(), 1f);
    float[] bias = uniform(d.k(), 1f);
    int plane = 36;
    for (MathMode format : FORMATS) {
      float[] z = round(format, conv(MathMode.FP32, d, round(format, x), round(format, w), false));
      float[] expected = new float[z.length];
      for (int i = 0; i < z.length; i++)
        expected[i] = Math.max(0f, z[i] + bias[(i / plane) % d.k()]);
      device.setMathMode(format);
      try (DeviceBuffer bx = device.toDevice(x);
          DeviceBuffer bw = device.toDevice(w);
          DeviceBuffer bb = device.toDevice(bias);
          DeviceBuffer y = device.allocateFloats(z.length)) {
        mixed.convolutionBiasActivationForward(d, ActivationMode.RELU, bx, bw, bb, y, 1f, 0f);
        assertBits(expected, device.copyToHostFloats(y, z.length), format + " conv + bias + relu");
      } finally {
        device.setMathMode(MathMode.FP32);
      }
    }
  }

  @Test
  void gemmsEqualFp32OnRoundedAAndBWithCInFp32() {
    GemmDescriptor d = new GemmDescriptor(true, false, 13, 10, 70);
    float[] a = uniform((int) d.aCount(), 2f);
    float[] b = uniform((int) d.bCount(), 2f);
    float[] c = uniform((int) d.cCount(), 1f);
    GemmBatch batch = new GemmBatch(2, d.aCount(), d.bCount() + 3, d.cCount());
    float[] a2 = uniform((int) GemmBatch.span(2, batch.aStride(), d.aCount()), 1f);
    float[] b2 = uniform((int) GemmBatch.span(2, batch.bStride(), d.bCount()), 1f);
    float[] c2 = uniform((int) (2 * d.cCount()), 1f);
    for (MathMode format : FORMATS) {
      assertBits(
          gemm(MathMode.FP32, d, null, round(format, a), round(format, b), c),
          gemm(format, d, null, a, b, c),
          format + " gemm");
      assertBits(
          gemm(MathMode.FP32, d, batch, round(format, a2), round(format, b2), c2),
          gemm(format, d, batch, a2, b2, c2),
          format + " strided-batched gemm");
    }
  }

  @Test
  void fp16ConvolutionOutputsOverflowToInfinityWhereBf16KeepsTheRange() {
    // 288 products of 100 x 100 = 2.88e6 per output: past FP16's 65504, well inside bfloat16's
    // range.
    ConvDescriptor d =
        new ConvDescriptor(1, 32, ints(3, 3), 1, ints(3, 3), ints(0, 0), ints(1, 1), ints(1, 1), 1);
    float[] x = new float[(int) d.inputCount()];
    float[] w = new float[(int) d.weightCount()];
    java.util.Arrays.fill(x, 100f);
    java.util.Arrays.fill(w, 100f);
    assertEquals(Float.POSITIVE_INFINITY, conv(MathMode.FP16, d, x, w, false)[0], "FP16 overflows");
    float bf16 = conv(MathMode.BF16, d, x, w, false)[0];
    assertEquals(2.88e6, bf16, 2.88e6 * 0x1p-8, "BF16 keeps float's range: " + bf16);
  }

  @Test
  void runningPreparedOperationsAllocatesNothing() {
    ConvDescriptor d =
        new ConvDescriptor(2, 3, ints(8, 8), 4, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
    try (DeviceBuffer x = device.toDevice(uniform((int) d.inputCount(), 1f));
        DeviceBuffer w = device.toDevice(uniform((int) d.weightCount(), 1f));
        DeviceBuffer y = device.allocateFloats(d.outputCount())) {
      device.setMathMode(MathMode.BF16);
      mixed.convolutionPrepare(d);
      long free = device.freeMemoryBytes();
      mixed.convolutionForward(d, x, w, y, 1f, 0f);
      mixed.convolutionBackwardData(d, w, y, x, 1f, 1f);
      assertEquals(
          free, device.freeMemoryBytes(), "a prepared BF16 convolution allocated device memory");
      ConvDescriptor larger =
          new ConvDescriptor(
              2, 3, ints(9, 9), 4, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
      try (DeviceBuffer x2 = device.allocateFloats(larger.inputCount());
          DeviceBuffer y2 = device.allocateFloats(larger.outputCount())) {
        long before = mixed.arenaBytes();
        mixed.convolutionForward(
            larger, x2, w, y2, 1f, 0f); // unprepared: the arena grows first, then runs
        assertTrue(mixed.arenaBytes() > before, "an operation that does not fit grows the arena");
      }
    } finally {
      device.setMathMode(MathMode.FP32);
    }
  }

  // ---- Helpers
  // ---------------------------------------------------------------------------------------------------

  /** The convolution forward (x, w) or backward-data (w, dy) in a mode, alpha 1, beta 0. */
  private float[] conv(
      MathMode mode, ConvDescriptor d, float[] first, float[] second, boolean backward) {
    device.setMathMode(mode);
    long outCount = backward ? d.inputCount() : d.outputCount();
    try (DeviceBuffer b1 = device.toDevice(first);
        DeviceBuffer b2 = device.toDevice(second);
        DeviceBuffer out = device.allocateFloats(outCount)) {
      if (backward) mixed.convolutionBackwardData(d, b1, b2, out, 1f, 0f);
      else mixed.convolutionForward(d, b1, b2, out, 1f, 0f);
      return device.copyToHostFloats(out, (int) outCount);
    } finally {
      device.setMathMode(MathMode.FP32);
    }
  }

  /** C = 0.5 op(A) op(B) - 1.5 C in a mode, a single GEMM or a strided batch. */
  private float[] gemm(
      MathMode mode, GemmDescriptor d, GemmBatch batch, float[] a, float[] b, float[] c) {
    device.setMathMode(mode);
    try (DeviceBuffer ba = device.toDevice(a);
        DeviceBuffer bb = device.toDevice(b);
        DeviceBuffer bc = device.toDevice(c)) {
      if (batch == null) mixed.gemm(d, ba, 0, bb, 0, bc, 0, 0.5f, -1.5f);
      else mixed.gemmStridedBatched(d, batch, ba, 0, bb, 0, bc, 0, 0.5f, -1.5f);
      return device.copyToHostFloats(bc, c.length);
    } finally {
      device.setMathMode(MathMode.FP32);
    }
  }

  private static float[] round(MathMode format, float[] v) {
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = format == MathMode.BF16 ? MathMode.roundToBf16(v[i]) : MathMode.roundToFp16(v[i]);
    }
    return r;
  }

  private static void assertBits(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
      }
    }
  }
}
