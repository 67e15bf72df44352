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
    TestData.require(FashionMnist.defaultDir(), "dataset-fashion-mnist");
    CliRunner r =
        CliRunner.line(
            "eval --model {} --device emulated --math tf32 --limit 4 --batch 4",
            BundledModels.path("fashion-cnn"));
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("on the emulated, TF32 (CUDA host emulator) backend"), r.out());
  }

  /**
   * Without --math a device computes in TF32 for eval (and render, sweep), FP32 for conformance.
   */
  @Test
  void theDefaultIsTf32ExceptForConformance() {
    TestData.require(FashionMnist.defaultDir(), "dataset-fashion-mnist");
    CliRunner eval =
        CliRunner.line(
            "eval --model {} --device emulated --limit 4 --batch 4",
            BundledModels.path("fashion-cnn"));
    assertEquals(0, eval.exitCode(), eval.out() + eval.err());
    assertTrue(
        eval.out().contains("on the emulated, TF32 (CUDA host emulator) backend"), eval.out());
    assertEquals(org.featviz.device.MathMode.TF32, org.featviz.Model.DEFAULT_MATH);

    Path conv = TestData.require(NODE.resolve("test_basic_conv_with_padding"), "libonnx-testdata");
    CliRunner conformance = CliRunner.line("conformance --device emulated {}", conv);
    assertEquals(0, conformance.exitCode(), conformance.out() + conformance.err());
    assertTrue(
        conformance.out().contains("1 passed, 0 failed, 0 unsupported (emulated, fp32)"),
        conformance.out());
  }

  /**
   * {@code eval --device emulated --math bf16} on eight images: the emulator in BF16 (16-bit
   * convolution and GEMM operands, FP32 accumulation) predicts what the CPU's FP32 does, up to one
   * image (none moved when measured).
   */
  @Test
  void evalRunsTheEmulatedDeviceInBf16AndAgreesWithTheCpu() {
    TestData.require(FashionMnist.defaultDir(), "dataset-fashion-mnist");
    String model = BundledModels.path("fashion-cnn").toString();
    CliRunner cpu = CliRunner.line("eval --model {} --device cpu --limit 8 --batch 8", model);
    CliRunner bf16 =
        CliRunner.line("eval --model {} --device emulated --math bf16 --limit 8 --batch 8", model);
    assertEquals(0, cpu.exitCode(), cpu.out() + cpu.err());
    assertEquals(0, bf16.exitCode(), bf16.out() + bf16.err());
    assertTrue(
        bf16.out().contains("on the emulated, BF16 (CUDA host emulator) backend"), bf16.out());
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
    Path conv = TestData.require(NODE.resolve("test_basic_conv_with_padding"), "libonnx-testdata");
    CliRunner r = CliRunner.line("conformance --device emulated --math fp16 {}", conv);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("1 passed, 0 failed"), r.out());
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
    Path relu = TestData.require(NODE.resolve("test_relu"), "libonnx-testdata");
    CliRunner r = CliRunner.line("conformance --device emulated --math TF32 {}", relu);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("1 passed, 0 failed"), r.out());
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
