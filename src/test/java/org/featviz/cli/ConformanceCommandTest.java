package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.featviz.TestData;
import org.junit.jupiter.api.Test;

/** {@code featviz conformance}: a case with an int64 initializer. */
class ConformanceCommandTest {
  private static final Path DATA = Path.of("/usr/share/libonnx-testdata/data");

  @Test
  void anInt64InitializerIsUnsupportedNotFailed() {
    Path c = TestData.require(DATA.resolve("pytorch-operator/test_operator_non_float_params"), "libonnx-testdata");
    CliRunner r = CliRunner.run("conformance", c.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("UNSUPPORTED test_operator_non_float_params: ")
        && r.out().contains("initializer '1'") && r.out().contains("int64"), r.out());
    assertTrue(!r.out().contains("IllegalStateException"), r.out());
    assertTrue(r.out().contains("0 passed, 0 failed, 1 unsupported (cpu)"), r.out());
  }
}
