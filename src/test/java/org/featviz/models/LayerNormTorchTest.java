package org.featviz.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.cpu.Activations;
import org.featviz.cpu.CpuExecutor;
import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.plan.DeviceExecutor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nn.LayerNorm as PyTorch exports it at opset 17 (one LayerNormalization node each: over the last
 * axis, and over the last two), in a tiny token network exported at test time
 * (layernorm_reference.py): featviz's output and the input gradient of a random projection of it,
 * on the CPU and the emulated device, against PyTorch's forward and autograd within 1e-5 and 1e-4
 * of the largest magnitude. Needs /usr/bin/python3 with torch: skipped without it on a developer
 * machine, a failure under CI=true. Tagged {@code torchvision} with TorchvisionModelsTest.
 */
@Tag("torchvision")
class LayerNormTorchTest {

  @BeforeAll
  static void needsTorch() throws Exception {
    TorchReference.require("torch", "python3-torch");
  }

  @Test
  void outputAndInputGradientMatchPyTorch(@TempDir Path dir) throws Exception {
    TorchReference.run(
        "layernorm_reference.py", dir, 120, "exporting the LayerNorm network", dir.toString());
    Shape tokens = Shape.of(2, 5, 6);
    float[] x = TorchReference.floats(dir.resolve("x.bin"));
    float[] y = TorchReference.floats(dir.resolve("y.bin"));
    float[] r = TorchReference.floats(dir.resolve("r.bin"));
    float[] gx = TorchReference.floats(dir.resolve("gx.bin"));
    try (Model m = Model.builder(dir.resolve("model.onnx")).optBackend(Backend.CPU).open()) {
      Graph g = m.graph();
      long layerNorms =
          g.nodes().stream().map(Node::opType).filter("LayerNormalization"::equals).count();
      assertEquals(3, layerNorms, "torch's opset-17 export keeps nn.LayerNorm as one node");
      Map<String, Tensor> feeds = Map.of("x", Tensor.of(tokens, x));
      Map<String, Tensor> seeds = Map.of("y", Tensor.of(Shape.of(2, 5, 4), r));

      CpuExecutor cpu = new CpuExecutor(g);
      Activations acts = cpu.forward(feeds, List.of("y"));
      TorchReference.assertNear(y, acts.get("y").data(), 1e-5, "output, cpu");
      TorchReference.assertNear(
          gx, cpu.backward(acts, seeds, List.of("x")).get("x").data(), 1e-4, "gradient, cpu");

      try (Device device = DeviceTesting.emulator();
          DeviceExecutor dev = new DeviceExecutor(device, g, List.of("x"))) {
        TorchReference.assertNear(
            y, dev.forward(feeds, List.of("y")).get("y").data(), 1e-5, "output, emulated");
        TorchReference.assertNear(
            gx, dev.backward(seeds, List.of("x")).get("x").data(), 1e-4, "gradient, emulated");
      }
    }
  }
}
