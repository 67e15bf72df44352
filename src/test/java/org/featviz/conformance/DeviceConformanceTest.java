package org.featviz.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.featviz.TestData;
import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Test;

/**
 * Every ONNX backend node case through device plans on the host emulator (all 932 take well under a
 * second of device time there, so no subset is needed): each case that passes on the CPU must pass
 * on the device too, except any the device plan refuses by design (none at present), which must be
 * reported unsupported (never wrong).
 */
class DeviceConformanceTest {
  static final Path NODE = Path.of("/usr/share/libonnx-testdata/data/node");

  /**
   * Cases the CPU passes and the device plan refuses (dilated pooling, once refused, runs the pool
   * kernels): Dropout's mask, a bool output (readable since bool test data is), which the device,
   * holding float32 values only, does not produce; the data output is lowered.
   */
  private static final Set<String> REFUSED =
      Set.of("test_dropout_default_mask", "test_dropout_default_mask_ratio");

  @Test
  void everyCaseTheCpuPassesPassesOnTheEmulatorUnlessRefusedByDesign() {
    try (Device device = DeviceTesting.emulator()) {
      checkEveryCase(device);
    }
  }

  /**
   * Fails listing every case that fails on the device, or that the CPU passes and the device does
   * not lower.
   */
  static void checkEveryCase(Device device) {
    Path root = TestData.require(NODE, "libonnx-testdata");
    List<String> problems = new ArrayList<>();
    int passed = 0;
    ConformanceBackend backend = ConformanceBackend.device(device);
    for (Path dir : ConformanceRunner.findCases(List.of(root))) {
      ConformanceCase onDevice = ConformanceRunner.run(dir, backend);
      if (onDevice.status() == ConformanceCase.Status.PASS) {
        passed++;
        continue;
      }
      if (onDevice.status() == ConformanceCase.Status.FAIL) {
        problems.add(onDevice.toString());
      } else if (ConformanceRunner.run(dir).status() == ConformanceCase.Status.PASS
          && !REFUSED.contains(onDevice.name())) {
        problems.add("passes on the CPU, but on the device: " + onDevice);
      }
    }
    if (!problems.isEmpty())
      fail(
          problems.size()
              + " conformance cases differ on "
              + device.name()
              + ":\n"
              + String.join("\n", problems));
    assertTrue(passed >= 120, "only " + passed + " cases passed");
  }

  @Test
  void theUnaryFunctionCasesPassOnTheEmulator() {
    assertPassOnTheEmulator(ConformanceTest.UNARY_FUNCTION_CASES);
  }

  @Test
  void theImageModelOpCasesPassOnTheEmulator() {
    try (Device device = DeviceTesting.emulator()) {
      ConformanceBackend backend = ConformanceBackend.device(device);
      for (List<String> cases : ConformanceTest.IMAGE_MODEL_OP_CASES) {
        for (String name : cases) {
          ConformanceCase c =
              ConformanceRunner.run(
                  TestData.require(NODE.resolve(name), "libonnx-testdata"), backend);
          assertEquals(ConformanceCase.Status.PASS, c.status(), c.toString());
        }
      }
    }
  }

  @Test
  void theSqueezeUnsqueezeAndSliceCasesPassOnTheEmulator() {
    assertPassOnTheEmulator(
        ConformanceTest.SQUEEZE_CASES.stream().filter(name -> !REFUSED.contains(name)).toList());
  }

  @Test
  void theGatherReduceSplitAndMaxMinCasesPassOnTheEmulator() {
    assertPassOnTheEmulator(ConformanceTest.GATHER_REDUCE_SPLIT_CASES);
  }

  /** Each of these ONNX node test cases passes on the emulator. */
  private static void assertPassOnTheEmulator(List<String> cases) {
    try (Device device = DeviceTesting.emulator()) {
      ConformanceBackend backend = ConformanceBackend.device(device);
      for (String name : cases) {
        ConformanceCase c =
            ConformanceRunner.run(
                TestData.require(NODE.resolve(name), "libonnx-testdata"), backend);
        assertEquals(ConformanceCase.Status.PASS, c.status(), c.toString());
      }
    }
  }

  @Test
  void theLayerNormalizationCasesAndTheirExpandedTwinsPassOnTheEmulator() {
    try (Device device = DeviceTesting.emulator()) {
      ConformanceBackend backend = ConformanceBackend.device(device);
      for (String name : ConformanceTest.LAYER_NORMALIZATION_CASES) {
        for (String n : List.of(name, name + "_expanded")) {
          ConformanceCase c =
              ConformanceRunner.run(TestData.require(NODE.resolve(n), "libonnx-testdata"), backend);
          assertEquals(ConformanceCase.Status.PASS, c.status(), c.toString());
        }
      }
    }
  }

  @Test
  void aConvolutionCaseAndTheDilatedMaxPoolCasePass() {
    Path conv =
        TestData.require(NODE.resolve("test_conv_with_strides_padding"), "libonnx-testdata");
    try (Device device = DeviceTesting.emulator()) {
      ConformanceBackend backend = ConformanceBackend.device(device);
      assertEquals(ConformanceCase.Status.PASS, ConformanceRunner.run(conv, backend).status());
      ConformanceCase dilated =
          ConformanceRunner.run(NODE.resolve("test_maxpool_2d_dilations"), backend);
      assertEquals(ConformanceCase.Status.PASS, dilated.status(), dilated.toString());
    }
  }
}
