package org.featviz.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.cpu.Activations;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cpu.OpTesting;
import org.featviz.device.DeviceCases;
import org.featviz.device.MathMode;
import org.featviz.ir.Graph;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * fashion-cnn through the device plan in BF16 and FP16 (16-bit operands and convolution outputs,
 * FP32 everything else) against the FP32 CPU backend on real Fashion-MNIST test images, forward to
 * the logits and backward from a fixed random seed to the input, as a render step uses it. Reported
 * and bounded: the logits' error relative to their scale and the input gradient's relative L2
 * error; the predicted classes must agree (at most one image of eight may flip; none did on the
 * emulator). A plan built in a 16-bit mode reserves its staging when it is built (running it does
 * not grow the arena) and counts it in its peak memory. Run on the emulator
 * (EmuTest$DevicePlanHalf) and on a GPU (GpuTest$DevicePlanHalf, tag gpu).
 */
public abstract class DevicePlanHalfCases extends DeviceCases {
  private static final int IMAGES = 8;

  /**
   * About four times the emulator's (printed): BF16 2.95e-3, FP16 2.3e-4 of the logit scale (TF32:
   * 2.0e-4).
   */
  private static double logitBound(MathMode mode) {
    return mode == MathMode.BF16 ? 1.2e-2 : 1e-3;
  }

  /**
   * Three to four times the emulator's relative L2 error of the input gradient: BF16 0.098, FP16
   * 0.038. Most of it is not rounding but switching: a ReLU or max-pool window that the rounded
   * forward decides the other way routes a whole gradient element elsewhere (TF32, whose logits
   * move by only 2e-4, shows 0.036 here too).
   */
  private static double gradientBound(MathMode mode) {
    return mode == MathMode.BF16 ? 0.3 : 0.15;
  }

  @Test
  void fashionCnnInBf16AndFp16KeepsThePredictionsAndBoundsTheErrors() {
    BundledModels.Prepared cnn = BundledModels.prepare("fashion-cnn", List.of());
    Graph g = cnn.graph();
    Tensor x = cnn.norm().apply(TestData.fashionMnistTest(IMAGES).images());
    String input = g.input().name();
    String logits = g.outputs().get(0);
    CpuExecutor cpu = new CpuExecutor(g);
    Activations acts = cpu.forward(Map.of(input, x), List.of(logits));
    float[] fp32 = acts.get(logits).data();
    Tensor seed = OpTesting.random(acts.get(logits).shape(), new Random(5), -1f, 1f);
    float[] fp32Grad = cpu.backward(acts, Map.of(logits, seed), List.of(input)).get(input).data();
    long fp32Peak;
    try (DeviceExecutor exec = new DeviceExecutor(device, g, List.of(input))) {
      exec.forward(Map.of(input, x), List.of(logits));
      fp32Peak = exec.plan().peakDeviceBytes();
    }
    for (MathMode mode : new MathMode[] {MathMode.BF16, MathMode.FP16}) {
      float[] out;
      float[] grad;
      long peak;
      device.setMathMode(mode);
      try (DeviceExecutor exec = new DeviceExecutor(device, g, List.of(input))) {
        peak = exec.plan(Map.of(input, x.shape()), List.of(logits)).peakDeviceBytes();
        long staged = exec.plan().stagingBytes();
        out = exec.forward(Map.of(input, x), List.of(logits)).get(logits).data();
        grad = exec.backward(Map.of(logits, seed), List.of(input)).get(input).data();
        assertEquals(
            staged, exec.plan().stagingBytes(), mode + ": running the plan grew the staging arena");
      } finally {
        device.setMathMode(MathMode.FP32);
      }
      int classes = fp32.length / IMAGES;
      int agree = 0;
      for (int n = 0; n < IMAGES; n++) {
        if (argmax(fp32, n * classes, classes) == argmax(out, n * classes, classes)) agree++;
      }
      double logitError = maxError(fp32, out) / maxAbs(fp32);
      double gradError = l2Error(fp32Grad, grad);
      System.out.printf(
          "fashion-cnn %s vs CPU FP32: logits max |diff| / scale %.3g, input gradient L2 %.3g, %d of %d"
              + " predictions agree, peak %d bytes (FP32 plan %d)%n",
          mode, logitError, gradError, agree, IMAGES, peak, fp32Peak);
      assertTrue(
          agree >= IMAGES - 1, mode + ": only " + agree + " of " + IMAGES + " predictions agree");
      assertTrue(
          logitError > 1e-5,
          mode + ": logits equal FP32's to " + logitError + ": no rounding applied?");
      assertTrue(
          logitError < logitBound(mode),
          mode + ": logits differ by " + logitError + " of their scale");
      assertTrue(
          gradError < gradientBound(mode),
          mode + ": input gradient differs by " + gradError + " (L2)");
      assertTrue(
          peak > fp32Peak, mode + ": the plan's peak (" + peak + ") counts its 16-bit staging");
    }
  }

  private static int argmax(float[] v, int from, int count) {
    int best = from;
    for (int i = from + 1; i < from + count; i++) if (v[i] > v[best]) best = i;
    return best - from;
  }

  private static double maxError(float[] expected, float[] actual) {
    double d = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.abs(expected[i] - actual[i]);
      d = Double.isNaN(e) ? Double.POSITIVE_INFINITY : Math.max(d, e);
    }
    return d;
  }

  private static double maxAbs(float[] v) {
    double m = 0;
    for (float f : v) m = Math.max(m, Math.abs(f));
    return m;
  }

  /** ||actual - expected|| / ||expected|| (NaN gives infinity). */
  private static double l2Error(float[] expected, float[] actual) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = actual[i] - expected[i];
      num += e * e;
      den += (double) expected[i] * expected[i];
    }
    double r = Math.sqrt(num / den);
    return Double.isNaN(r) ? Double.POSITIVE_INFINITY : r;
  }
}
