package org.featviz.onnx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.ir.ValueInfo;
import org.featviz.ops.ShapeInference;
import org.junit.jupiter.api.Test;

/**
 * Feeds the importer mutated copies of valid models (hand-built ones and, where installed, the ONNX
 * conformance models of Debian's libonnx-testdata): every import followed by shape inference must
 * either succeed or throw {@link ModelException}, and must finish. Anything else (another exception
 * type, an Error, a hang) fails with the seed and the mutation that caused it.
 */
class OnnxImporterFuzzTest {
  private static final Path NODE_CASES = Path.of("/usr/share/libonnx-testdata/data/node");
  private static final long SEED = 20240611L;
  private static final int CASES = 4000;

  /** The unmutated seed corpus: hand-built models, then conformance models where present. */
  private static Map<String, byte[]> corpus() {
    Map<String, byte[]> models = new LinkedHashMap<>(HandBuiltModels.all());
    if (!Files.isDirectory(NODE_CASES)) {
      if ("true".equals(System.getenv("CI"))) {
        fail(NODE_CASES + " is missing: install the Debian package libonnx-testdata");
      }
      return models; // a developer machine without the package: the hand-built models alone
    }
    try (Stream<Path> cases = Files.list(NODE_CASES)) {
      for (Path dir : cases.sorted().toList()) {
        String name = dir.getFileName().toString();
        boolean wanted =
            name.startsWith("test_conv_")
                || name.startsWith("test_gemm_")
                || name.equals("test_relu")
                || name.equals("test_maxpool_2d_default");
        Path model = dir.resolve("model.onnx");
        if (wanted && Files.isRegularFile(model)) models.put(name, Files.readAllBytes(model));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return models;
  }

  /** Imports and infers shapes; returns true if both succeeded, false on a ModelException. */
  private static boolean importAndInfer(byte[] bytes, String name) {
    try {
      Graph g = OnnxImporter.read(bytes, name);
      // Declared input shapes where they are static and fit featviz's int dimensions; others stay
      // unset (and
      // shape inference then reports the missing shape as a ModelException).
      Map<String, Shape> shapes = new LinkedHashMap<>();
      for (ValueInfo v : g.inputs()) {
        if (v.isStatic() && fitsInt(v.dims())) shapes.put(v.name(), Shape.of(v.dims()));
      }
      ShapeInference.inferLenient(g, shapes);
      return true;
    } catch (ModelException e) {
      return false;
    }
  }

  private static boolean fitsInt(long[] dims) {
    for (long d : dims) if (d > Integer.MAX_VALUE) return false;
    return true;
  }

  @Test
  void unmutatedModelsImport() {
    for (Map.Entry<String, byte[]> e : corpus().entrySet()) {
      Graph g = OnnxImporter.read(e.getValue(), e.getKey());
      assertFalse(g.nodes().isEmpty(), e.getKey());
    }
  }

  @Test
  void mutatedModelsImportOrFailWithModelException() {
    Map<String, byte[]> corpus = corpus();
    List<String> names = new ArrayList<>(corpus.keySet());
    List<byte[]> models = new ArrayList<>(corpus.values());
    ModelMutator mutator = new ModelMutator(SEED, models);
    String[] current = {"(none yet)"};
    int[] outcomes = new int[2]; // [rejected, imported]
    assertTimeoutPreemptively(
        Duration.ofSeconds(120),
        () -> {
          for (int c = 0; c < CASES; c++) {
            int m = c % models.size();
            ModelMutator.Mutant mutant = mutator.mutate(models.get(m));
            current[0] =
                "case " + c + " (seed " + SEED + "): " + names.get(m) + ", " + mutant.description();
            try {
              outcomes[importAndInfer(mutant.bytes(), names.get(m) + "#" + c) ? 1 : 0]++;
            } catch (Throwable t) {
              throw new AssertionError(
                  current[0] + ": expected success or ModelException, got " + t, t);
            }
          }
        },
        () -> "the importer hung (or the fuzz run is far too slow) at " + current[0]);
    // The mutations must exercise both paths, or the test proves little.
    assertTrue(outcomes[0] > CASES / 10, "rejected " + outcomes[0] + " of " + CASES);
    assertTrue(outcomes[1] > CASES / 20, "imported " + outcomes[1] + " of " + CASES);
  }
}
