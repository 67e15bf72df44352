package org.featviz.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.featviz.cpu.Blas;
import org.junit.jupiter.api.Test;

/**
 * GemmBench checks every candidate and prints one table row per product (no timing is asserted).
 */
class GemmBenchTest {
  @Test
  void checksEachCandidateAndPrintsARowPerProduct() {
    if ("true".equals(System.getenv("CI"))) assertTrue(Blas.available(), Blas.unavailableReason());
    assumeTrue(Blas.available(), Blas.unavailableReason());
    StringWriter text = new StringWriter();
    assertEquals(0, GemmBench.run(new PrintWriter(text, true), 0.01), text.toString());
    long rows =
        text.toString()
            .lines()
            .filter(l -> l.matches("\\| .* \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\|"))
            .count();
    assertEquals(6, rows, text.toString());
  }
}
