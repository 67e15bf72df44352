package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.featviz.BundledModels;
import org.featviz.TestData;
import org.featviz.data.FashionMnist;
import org.junit.jupiter.api.Test;

/**
 * {@code --math fp32|tf32|bf16|fp16} on the commands that run on a device: parsed, passed to the
 * device, refused when bad.
 */
class MathOptionTest {
  private static final Path NODE = Path.of("/usr/share/libonnx-testdata/data/node");

  @Test
  void evalRunsTheEmulatedDeviceInTf32() {
    evalOnTheEmulator("--math tf32 --limit 4 --batch 4", "TF32");
  }

  /**
   * Without --math a device computes in TF32 for eval (and render, sweep), FP32 for conformance.
   */
  @Test
  void theDefaultIsTf32ExceptForConformance() {
    evalOnTheEmulator("--limit 4 --batch 4", "TF32");
    assertEquals(org.featviz.device.MathMode.TF32, org.featviz.Model.DEFAULT_MATH);
    conformancePasses(
        "test_basic_conv_with_padding", "", "1 passed, 0 failed, 0 unsupported (emulated, fp32)");
  }

  /**
   * {@code eval --device emulated --math bf16} on eight images: the emulator in BF16 (16-bit
   * convolution and GEMM operands, FP32 accumulation) predicts what the CPU's FP32 does, up to one
   * image (none moved when measured).
   */
  @Test
  void evalRunsTheEmulatedDeviceInBf16AndAgreesWithTheCpu() {
    CliRunner bf16 = evalOnTheEmulator("--math bf16 --limit 8 --batch 8", "BF16");
    CliRunner cpu =
        CliRunner.line(
            "eval --model {} --device cpu --limit 8 --batch 8", BundledModels.path("fashion-cnn"));
    assertEquals(0, cpu.exitCode(), cpu.out() + cpu.err());
    int[] a = confusion(cpu.out());
    int[] b = confusion(bf16.out());
    int moved = 0;
    for (int i = 0; i < a.length; i++) moved += Math.abs(a[i] - b[i]);
    assertTrue(
        moved / 2 <= 1, moved / 2 + " of 8 predictions moved:\n" + cpu.out() + "\n" + bf16.out());
  }

  /**
   * A convolution of small integers (0..24 times ones) is exact in 16 bits, so the case passes in
   * FP16.
   */
  @Test
  void conformanceRunsAConvolutionInFp16OnTheEmulatedDevice() {
    conformancePasses("test_basic_conv_with_padding", "--math fp16 ", "1 passed, 0 failed");
  }

  /** The confusion matrix eval prints, row by row (10 classes). */
  private static int[] confusion(String out) {
    String[] lines = out.substring(out.indexOf("confusion matrix")).split("\n");
    int[] cells = new int[100];
    for (int r = 0; r < 10; r++) {
      String[] parts = lines[2 + r].trim().split("\\s+");
      for (int c = 0; c < 10; c++)
        cells[r * 10 + c] = Integer.parseInt(parts[parts.length - 10 + c]);
    }
    return cells;
  }

  @Test
  void conformanceAcceptsTf32ForOpsWithoutProducts() {
    conformancePasses("test_relu", "--math TF32 ", "1 passed, 0 failed");
  }

  /** fashion-cnn's eval with these flags on the emulator: it succeeds and names its math mode. */
  private static CliRunner evalOnTheEmulator(String flags, String mode) {
    TestData.require(FashionMnist.defaultDir(), "dataset-fashion-mnist");
    CliRunner r =
        CliRunner.line(
            "eval --model {} --device emulated " + flags, BundledModels.path("fashion-cnn"));
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(
        r.out().contains("on the emulated, " + mode + " (CUDA host emulator) backend"), r.out());
    return r;
  }

  /** One ONNX node test case under conformance on the emulator with these flags: it passes. */
  private static void conformancePasses(String testCase, String flags, String summary) {
    Path dir = TestData.require(NODE.resolve(testCase), "libonnx-testdata");
    CliRunner r = CliRunner.line("conformance --device emulated " + flags + "{}", dir);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains(summary), r.out());
  }

  @Test
  void anUnknownModeIsAUsageErrorOnEveryCommand() {
    String model = BundledModels.path("fashion-cnn").toString();
    assertRefused("fp64", "eval", "--model", model, "--device", "cpu", "--math", "fp64");
    assertRefused(
        "half",
        "render",
        "--model",
        model,
        "--layer",
        "conv1",
        "--unit",
        "0",
        "--device",
        "cpu",
        "--math",
        "half",
        "--out",
        "unused");
    assertRefused(
        "int8",
        "sweep",
        "--model",
        model,
        "--layers",
        "conv1",
        "--device",
        "cpu",
        "--math",
        "int8",
        "--out",
        "unused");
    assertRefused("bf-16", "conformance", "--math", "bf-16", NODE.toString());
  }

  private static void assertRefused(String mode, String... args) {
    CliRunner r = CliRunner.run(args);
    assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.out() + r.err());
    assertTrue(r.err().contains("--math " + mode + ": expected fp32, tf32, bf16 or fp16"), r.err());
  }
}
