package org.featviz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

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
}
