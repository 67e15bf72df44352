package org.featviz.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.Assumptions;
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
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  @Test
  void outputAndInputGradientMatchPyTorch(@TempDir Path dir) throws Exception {
    requireTorch();
    export(dir);
    float[] x = floats(dir.resolve("x.bin"));
    float[] y = floats(dir.resolve("y.bin"));
    float[] r = floats(dir.resolve("r.bin"));
    float[] gx = floats(dir.resolve("gx.bin"));
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
      assertNear(y, acts.get(out).data(), 1e-4, "log-probabilities, cpu");
      assertNear(gx, cpu.backward(acts, seeds, List.of(in)).get(in).data(), 1e-3, "gradient, cpu");

      try (Device device = DeviceTesting.emulator();
          DeviceExecutor dev = new DeviceExecutor(device, g, List.of(in))) {
        assertNear(
            y,
            dev.forward(feeds, List.of(out)).get(out).data(),
            1e-4,
            "log-probabilities, emulated");
        assertNear(gx, dev.backward(seeds, List.of(in)).get(in).data(), 1e-3, "gradient, emulated");
      }
    }
  }

  /** max |actual - expected| <= tol * max |expected|, the scale nonzero; NaN fails. */
  private static void assertNear(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + ": element count");
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      double d = Math.abs((double) actual[i] - expected[i]);
      worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
    }
    assertTrue(scale > 0, what + ": PyTorch's values are all zero");
    assertTrue(
        worst <= tol * scale,
        what + ": max |featviz - PyTorch| " + worst + " exceeds " + tol + " of the scale " + scale);
  }

  private static void requireTorch() throws Exception {
    boolean importable =
        Files.isExecutable(PYTHON)
            && new ProcessBuilder(PYTHON.toString(), "-c", "import torch")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor()
                == 0;
    String why = PYTHON + " cannot import torch: install the Debian package python3-torch";
    if (!importable && "true".equals(System.getenv("CI"))) fail(why);
    Assumptions.assumeTrue(importable, why);
  }

  private static void export(Path dir) throws Exception {
    Path script = dir.resolve("image_ops_reference.py");
    try (InputStream s = ImageOpsTorchTest.class.getResourceAsStream("image_ops_reference.py")) {
      Files.copy(s, script);
    }
    Process p =
        new ProcessBuilder(PYTHON.toString(), script.toString(), "13", dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("export.log").toFile())
            .start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("exporting the network took over 300 s");
    }
    if (p.exitValue() != 0) {
      List<String> lines = Files.readAllLines(dir.resolve("export.log"));
      fail(
          "exporting the network failed:\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
    }
  }

  private static float[] floats(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(f);
    return f;
  }
}
