package org.featviz.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.plan.DeviceExecutor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small network of the ops torchvision-style models and heads add (nn.PReLU, nn.InstanceNorm2d
 * with affine weights, F.interpolate nearest and bilinear with and without align_corners,
 * Tensor.repeat as Expand and Tile, nn.ConvTranspose2d with groups, stride and output_padding,
 * nn.LogSoftmax), exported by /usr/bin/python3's torch at opset 13 at test time
 * (image_ops_reference.py): featviz's output and the input gradient of a random projection of it,
 * on the CPU and the emulated device, against PyTorch's forward and autograd. Needs torch only;
 * without it it skips on a developer machine and fails under CI=true (.ci/run installs
 * python3-torch). Tagged {@code torchvision} with the other PyTorch comparisons.
 */
@Tag("torchvision")
class ImageOpsTorchTest {

  @Test
  void outputAndInputGradientMatchPyTorch(@TempDir Path dir) throws Exception {
    TorchReference.require("torch", "python3-torch");
    TorchReference.run(
        "image_ops_reference.py", dir, 300, "exporting the image-op network", "13", dir.toString());
    float[] x = TorchReference.floats(dir.resolve("x.bin"));
    float[] y = TorchReference.floats(dir.resolve("y.bin"));
    float[] r = TorchReference.floats(dir.resolve("r.bin"));
    float[] gx = TorchReference.floats(dir.resolve("gx.bin"));
    try (Model m = Model.builder(dir.resolve("model.onnx")).optBackend(Backend.CPU).open()) {
      Graph g = m.graph();
      String in = g.inputs().get(0).name();
      String out = g.outputs().get(0);
      for (String op :
          List.of(
              "PRelu", "InstanceNormalization", "Resize", "Tile", "ConvTranspose", "LogSoftmax"))
        assertTrue(
            g.nodes().stream().anyMatch(n -> n.opType().equals(op)), "the export has no " + op);
      Map<String, Tensor> feeds = Map.of(in, Tensor.of(Shape.of(1, 3, 8, 8), x));
      Map<String, Tensor> seeds = Map.of(out, Tensor.of(Shape.of(1, y.length), r));

      CpuExecutor cpu = new CpuExecutor(g);
      Activations acts = cpu.forward(feeds, List.of(out));
      TorchReference.assertNear(y, acts.get(out).data(), 1e-4, "log-probabilities, cpu");
      TorchReference.assertNear(
          gx, cpu.backward(acts, seeds, List.of(in)).get(in).data(), 1e-3, "gradient, cpu");

      try (Device device = DeviceTesting.emulator();
          DeviceExecutor dev = new DeviceExecutor(device, g, List.of(in))) {
        TorchReference.assertNear(
            y,
            dev.forward(feeds, List.of(out)).get(out).data(),
            1e-4,
            "log-probabilities, emulated");
        TorchReference.assertNear(
            gx, dev.backward(seeds, List.of(in)).get(in).data(), 1e-3, "gradient, emulated");
      }
    }
  }
}
