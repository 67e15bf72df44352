package org.featviz.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.cpu.CpuExecutor;
import org.featviz.data.Dataset;
import org.featviz.device.MathMode;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.ir.Graph;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * fashion-cnn forward through the device plan in TF32 on the emulator (convolutions and GEMMs on
 * TF32-rounded operands) against the FP32 CPU backend, on real Fashion-MNIST test images: the
 * predicted class of every image is kept and the logits move by a bounded amount (measured 2.0e-4
 * of the logit scale; bound 1e-3), but they do move (TF32 rounding is applied).
 */
class DevicePlanTf32EmuTest {
  @Test
  void fashionCnnInTf32KeepsThePredictionsAndBoundsTheLogitError() {
    BundledModels.Prepared cnn = BundledModels.prepare("fashion-cnn", List.of());
    Graph g = cnn.graph();
    Dataset data = TestData.fashionMnistTest(6);
    Tensor x = cnn.norm().apply(data.images());
    String input = g.input().name();
    String logits = g.outputs().get(0);
    float[] fp32 = new CpuExecutor(g).forward(Map.of(input, x), List.of(logits)).get(logits).data();
    float[] tf32;
    try (EmulatedDevice device = new EmulatedDevice();
        DeviceExecutor exec = DeviceExecutor.forwardOnly(device, g)) {
      device.setMathMode(MathMode.TF32);
      tf32 = exec.forward(Map.of(input, x), List.of(logits)).get(logits).data();
    }
    int classes = fp32.length / data.size();
    double scale = 0;
    double diff = 0;
    for (int i = 0; i < fp32.length; i++) {
      scale = Math.max(scale, Math.abs(fp32[i]));
      diff = Math.max(diff, Math.abs(fp32[i] - tf32[i]));
    }
    for (int n = 0; n < data.size(); n++) {
      assertEquals(
          argmax(fp32, n * classes, classes), argmax(tf32, n * classes, classes), "image " + n);
    }
    double relative = diff / scale;
    System.out.printf(
        "fashion-cnn TF32 vs FP32 logits: max |diff| %.3g, logit scale %.3g, relative %.3g%n",
        diff, scale, relative);
    assertTrue(
        relative > 1e-6, "TF32 logits equal FP32's to " + relative + ": no rounding applied?");
    assertTrue(
        relative < 1e-3, "TF32 logits differ from FP32 by " + relative + " of the logit scale");
  }

  private static int argmax(float[] v, int from, int count) {
    int best = from;
    for (int i = from + 1; i < from + count; i++) if (v[i] > v[best]) best = i;
    return best - from;
  }
}
