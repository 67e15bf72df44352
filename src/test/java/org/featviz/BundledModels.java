package org.featviz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.featviz.ir.Graph;
import org.featviz.model.InputNormalization;
import org.featviz.onnx.OnnxImporter;
import org.featviz.passes.Prepare;

/**
 * The models that ship in models/, found from the test's working directory (the repository root).
 */
public final class BundledModels {
  private BundledModels() {}

  public static Path path(String name) {
    Path p = Path.of("models", name + ".onnx");
    assertTrue(
        Files.exists(p),
        p.toAbsolutePath() + " is missing: the bundled models are part of the repository");
    return p;
  }

  public static Path predictions(String name) {
    Path p = Path.of("models", "predictions", name + "-test.txt");
    assertTrue(Files.exists(p), p.toAbsolutePath() + " is missing");
    return p;
  }

  /** A bundled model as a test runs it: imported, prepared, and its input normalization. */
  public record Prepared(Graph imported, Graph graph, InputNormalization norm) {}

  /** {@code name} imported and prepared for {@code targets} (none: its outputs). */
  public static Prepared prepare(String name, List<String> targets) {
    Graph imported = OnnxImporter.read(path(name));
    return new Prepared(
        imported,
        Prepare.forRun(imported, null, targets),
        InputNormalization.fromMetadata(imported.metadata(), name));
  }
}
