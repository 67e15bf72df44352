package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Path;
import org.featviz.TestData;
import org.featviz.cuda.CudaDevice;
import org.junit.jupiter.api.Test;

/**
 * {@code featviz conformance --device emulated|gpu}: device plans behind the conformance runner.
 */
class ConformanceDeviceOptionTest {
  private static final Path NODE = Path.of("/usr/share/libonnx-testdata/data/node");

  @Test
  void emulatedRunsTheCasesThroughDevicePlans() {
    Path gemm = TestData.require(NODE.resolve("test_gemm_all_attributes"), "libonnx-testdata");
    Path pool =
        TestData.require(NODE.resolve("test_averagepool_2d_same_upper"), "libonnx-testdata");
    CliRunner r = CliRunner.line("conformance --device emulated {} {}", gemm, pool);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("PASS test_gemm_all_attributes"), r.out());
    assertTrue(r.out().contains("2 passed, 0 failed, 0 unsupported"), r.out());
  }

  @Test
  void gpuWithoutAGpuFailsClearly() {
    assumeFalse(CudaDevice.isAvailable(), "this machine has a GPU");
    Path relu = TestData.require(NODE.resolve("test_relu"), "libonnx-testdata");
    CliRunner r = CliRunner.line("conformance --device gpu {}", relu);
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().contains("--device gpu: no usable GPU"), r.err());
    assertTrue(r.err().contains("--device emulated"), r.err());
  }

  @Test
  void anUnknownDeviceIsAUsageError() {
    Path relu = TestData.require(NODE.resolve("test_relu"), "libonnx-testdata");
    CliRunner r = CliRunner.line("conformance --device tpu {}", relu);
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(
        r.err().contains("--device tpu: expected auto, cpu, cpu-ref, gpu, emulated"), r.err());
  }
}
