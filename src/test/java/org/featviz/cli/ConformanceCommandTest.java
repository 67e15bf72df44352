package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.featviz.TestData;
import org.featviz.cuda.CudaDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code featviz conformance}: --device auto, a folder without cases, and a case with an int64
 * initializer.
 */
class ConformanceCommandTest {
  private static final Path DATA = Path.of("/usr/share/libonnx-testdata/data");

  @Test
  void autoRunsOnTheGpuWhereUsableElseOnTheCpuWithANote() {
    Path relu = TestData.require(DATA.resolve("node/test_relu"), "libonnx-testdata");
    CliRunner r = CliRunner.line("conformance --device auto {}", relu);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    if (CudaDevice.isAvailable()) {
      assertTrue(r.out().contains("1 passed, 0 failed, 0 unsupported (gpu, fp32)"), r.out());
    } else {
      assertTrue(r.out().contains("1 passed, 0 failed, 0 unsupported (cpu)"), r.out());
      assertTrue(
          r.err().contains("no usable GPU (") && r.err().contains("running on the CPU backend"),
          r.err());
    }
  }

  @Test
  void aFolderWithoutCasesIsAnError(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("not-a-case"));
    CliRunner r = CliRunner.line("conformance {}", dir);
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertEquals(
        "featviz: error: no ONNX test cases (folders with model.onnx and test_data_set_N) under "
            + dir,
        r.err().strip());
    assertTrue(!r.out().contains("passed"), r.out());
  }

  @Test
  void anInt64InitializerIsUnsupportedNotFailed() {
    Path c =
        TestData.require(
            DATA.resolve("pytorch-operator/test_operator_non_float_params"), "libonnx-testdata");
    CliRunner r = CliRunner.line("conformance {}", c);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(
        r.out().contains("UNSUPPORTED test_operator_non_float_params: ")
            && r.out().contains("initializer '1'")
            && r.out().contains("int64"),
        r.out());
    assertTrue(!r.out().contains("IllegalStateException"), r.out());
    assertTrue(r.out().contains("0 passed, 0 failed, 1 unsupported (cpu)"), r.out());
  }
}
