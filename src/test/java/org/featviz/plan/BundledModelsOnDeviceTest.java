package org.featviz.plan;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.random;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.BundledModels;
import org.featviz.cpu.Activations;
import org.featviz.cpu.CpuExecutor;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.onnx.OnnxImporter;
import org.featviz.passes.Prepare;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reference models end to end through the device plan on the host emulator against the CPU
 * backend: logits forward, and the input gradient of a hidden layer backward (what a render step
 * needs). Emulator, not GPU.
 */
class BundledModelsOnDeviceTest {
  @ParameterizedTest
  @CsvSource({"fashion-cnn, relu3", "fashion-vgg, relu6", "fashion-mlp, relu_fc3"})
  void forwardAndBackwardMatchTheCpu(String model, String hidden) {
    Graph g = Prepare.forRun(OnnxImporter.read(BundledModels.path(model)), null, List.of());
    String input = g.input().name();
    String logits = g.outputs().get(0);
    Random rng = new Random(42);
    Tensor x = random(Shape.of(2, 1, 28, 28), rng, -1, 2);
    CpuExecutor cpu = new CpuExecutor(g);
    Activations acts = cpu.forward(Map.of(input, x), List.of(logits, hidden));
    try (EmulatedDevice device = new EmulatedDevice();
        DeviceExecutor dev = new DeviceExecutor(device, g)) {
      Map<String, Tensor> out = dev.forward(Map.of(input, x), List.of(logits, hidden));
      assertClose(acts.get(logits).data(), out.get(logits).data(), 1e-4, 1e-5, model + " logits");
      Tensor seed = random(acts.get(hidden).shape(), rng, -1, 1);
      float[] expected = cpu.backward(acts, Map.of(hidden, seed), List.of(input)).get(input).data();
      float[] actual = dev.backward(Map.of(hidden, seed), List.of(input)).get(input).data();
      assertClose(expected, actual, 1e-4, 1e-5, model + " d " + hidden + " / d input");
    }
  }
}
