package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.data.FashionMnist;
import org.junit.jupiter.api.Test;

/** {@code --math fp32|tf32} on the commands that run on a device: parsed, passed to the device, refused when bad. */
class MathOptionTest {
  private static final Path NODE = Path.of("/usr/share/libonnx-testdata/data/node");

  @Test
  void evalRunsTheEmulatedDeviceInTf32() {
    TestData.require(FashionMnist.defaultDir(), "dataset-fashion-mnist");
    CliRunner r = CliRunner.run("eval", "--model", BundledModels.path("fashion-cnn").toString(), "--device",
        "emulated", "--math", "tf32", "--limit", "4", "--batch", "4");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("on the emulated, TF32 (CUDA host emulator) backend"), r.out());
  }

  @Test
  void conformanceAcceptsTf32ForOpsWithoutProducts() {
    Path relu = TestData.require(NODE.resolve("test_relu"), "libonnx-testdata");
    CliRunner r = CliRunner.run("conformance", "--device", "emulated", "--math", "TF32", relu.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("1 passed, 0 failed"), r.out());
  }

  @Test
  void anUnknownModeIsAUsageErrorOnEveryCommand() {
    String model = BundledModels.path("fashion-cnn").toString();
    assertRefused("fp16", "eval", "--model", model, "--device", "cpu", "--math", "fp16");
    assertRefused("half", "render", "--model", model, "--layer", "conv1", "--unit", "0", "--device", "cpu",
        "--math", "half", "--out", "unused");
    assertRefused("bf16", "sweep", "--model", model, "--layers", "conv1", "--device", "cpu", "--math", "bf16",
        "--out", "unused");
    assertRefused("bf16", "conformance", "--math", "bf16", NODE.toString());
  }

  private static void assertRefused(String mode, String... args) {
    CliRunner r = CliRunner.run(args);
    assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.out() + r.err());
    assertTrue(r.err().contains("--math " + mode + ": expected fp32 or tf32"), r.err());
  }
}
