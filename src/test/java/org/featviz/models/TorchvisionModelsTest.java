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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real torchvision classifiers (random weights), exported by PyTorch at test time
 * (torchvision_reference.py): featviz's logits and the input gradient of a random projection of
 * them, on the CPU and the emulated device, against PyTorch's forward and autograd, within 1e-4
 * (logits) and 1e-3 (gradient) of the largest magnitude. It needs /usr/bin/python3 with torch and
 * torchvision (Debian's python3-torch and python3-torchvision, which .ci/run installs): without
 * them it skips on a developer machine and fails under CI=true. Tagged {@code torchvision}, so that
 * {@code mvn test -Dgroups=torchvision} runs it alone.
 */
@Tag("torchvision")
class TorchvisionModelsTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  @ParameterizedTest(name = "{0} at {1} x {1}, opset {2}")
  @CsvSource({
    "shufflenet_v2_x0_5, 64, 13",
    "mobilenet_v3_small, 64, 13",
    "convnext_tiny, 32, 13",
    "convnext_tiny, 32, 17", // its 23 nn.LayerNorm as LayerNormalization nodes
  })
  void logitsAndInputGradientMatchPyTorch(String name, int size, int opset, @TempDir Path dir)
      throws Exception {
    export(name, size, opset, dir);
    Shape image = Shape.of(1, 3, size, size);
    float[] x = floats(dir.resolve("x.bin"));
    float[] y = floats(dir.resolve("y.bin"));
    float[] r = floats(dir.resolve("r.bin"));
    float[] gx = floats(dir.resolve("gx.bin"));
    try (Model m =
        Model.builder(dir.resolve("model.onnx"))
            .optInputShape(1, 3, size, size)
            .optBackend(Backend.CPU)
            .open()) {
      Graph g = m.graph();
      String in = g.inputs().get(0).name();
      String out = g.outputs().get(0);
      Map<String, Tensor> feeds = Map.of(in, Tensor.of(image, x));
      Map<String, Tensor> seeds = Map.of(out, Tensor.of(Shape.of(1, y.length), r));

      CpuExecutor cpu = new CpuExecutor(g);
      Activations acts = cpu.forward(feeds, List.of(out));
      assertNear(y, acts.get(out).data(), 1e-4, name + " logits, cpu");
      Map<String, Tensor> grads = cpu.backward(acts, seeds, List.of(in));
      assertNear(gx, grads.get(in).data(), 1e-3, name + " input gradient, cpu");

      try (Device device = DeviceTesting.emulator();
          DeviceExecutor dev = new DeviceExecutor(device, g, List.of(in))) {
        assertNear(
            y, dev.forward(feeds, List.of(out)).get(out).data(), 1e-4, name + " logits, emulated");
        assertNear(
            gx,
            dev.backward(seeds, List.of(in)).get(in).data(),
            1e-3,
            name + " input gradient, emulated");
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

  @BeforeAll
  static void needsTorch() throws Exception {
    boolean importable =
        Files.isExecutable(PYTHON)
            && new ProcessBuilder(PYTHON.toString(), "-c", "import torch, torchvision")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor()
                == 0;
    String why =
        PYTHON
            + " cannot import torch and torchvision: install the Debian packages python3-torch"
            + " python3-torchvision";
    if (!importable && "true".equals(System.getenv("CI"))) fail(why);
    Assumptions.assumeTrue(importable, why);
  }

  private static void export(String name, int size, int opset, Path dir) throws Exception {
    if (!Files.isExecutable(PYTHON))
      fail(PYTHON + " is missing: this test needs torch and torchvision");
    Path script = dir.resolve("torchvision_reference.py");
    try (InputStream s =
        TorchvisionModelsTest.class.getResourceAsStream("torchvision_reference.py")) {
      Files.copy(s, script);
    }
    Process p =
        new ProcessBuilder(
                PYTHON.toString(), script.toString(), name, "" + size, "" + opset, dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("export.log").toFile())
            .start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("exporting " + name + " took over 300 s");
    }
    if (p.exitValue() != 0)
      fail(
          "exporting "
              + name
              + " failed (torch and torchvision needed):\n"
              + tail(dir.resolve("export.log")));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
  }

  private static float[] floats(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(f);
    return f;
  }
}
