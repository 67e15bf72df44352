package org.featviz.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.featviz.TestData;
import org.junit.jupiter.api.Test;

/** Every ONNX backend node case whose ops featviz supports must pass on the CPU backend. */
class ConformanceTest {
  @Test
  void everySupportedNodeCasePasses() {
    Path root = TestData.require(Path.of("/usr/share/libonnx-testdata/data/node"), "libonnx-testdata");
    List<String> failures = new ArrayList<>();
    int passed = 0;
    for (Path dir : ConformanceRunner.findCases(List.of(root))) {
      ConformanceCase c = ConformanceRunner.run(dir);
      if (c.status() == ConformanceCase.Status.FAIL) failures.add(c.toString());
      if (c.status() == ConformanceCase.Status.PASS) passed++;
    }
    if (!failures.isEmpty()) fail(failures.size() + " conformance cases failed:\n" + String.join("\n", failures));
    // The supported ops cover well over a hundred node cases (conv, pooling, gemm, broadcasting, softmax, ...).
    assertTrue(passed >= 100, "only " + passed + " cases passed");
  }

  @Test
  void aKnownCaseReportsPass() {
    Path dir = TestData.require(Path.of("/usr/share/libonnx-testdata/data/node/test_relu"), "libonnx-testdata");
    assertEquals(ConformanceCase.Status.PASS, ConformanceRunner.run(dir).status());
    assertTrue(Files.exists(dir.resolve("model.onnx")));
  }
}
