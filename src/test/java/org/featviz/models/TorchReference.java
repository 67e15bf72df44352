package org.featviz.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * What the tests against PyTorch share: /usr/bin/python3 with the modules they need (skipped on a
 * developer machine without them, failed under CI=true), a reference script of this package's
 * resources run into a folder, the little-endian float32 files it writes, and the comparison
 * relative to PyTorch's scale.
 */
final class TorchReference {
  static final Path PYTHON = Path.of("/usr/bin/python3");

  private TorchReference() {}

  /**
   * Skips the test class where {@code python3 -c "import MODULES"} fails (under CI=true: fails),
   * naming the Debian {@code packages} to install.
   */
  static void require(String modules, String packages) throws Exception {
    boolean importable =
        Files.isExecutable(PYTHON)
            && new ProcessBuilder(PYTHON.toString(), "-c", "import " + modules)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor()
                == 0;
    String why = PYTHON + " cannot import " + modules + ": install the Debian packages " + packages;
    if (!importable && "true".equals(System.getenv("CI"))) fail(why);
    Assumptions.assumeTrue(importable, why);
  }

  /**
   * Runs this package's resource {@code script} with {@code args} in {@code dir} (its log in
   * dir/export.log), failing with the log's tail where it fails or takes over {@code seconds}.
   */
  static void run(String script, Path dir, int seconds, String what, String... args)
      throws Exception {
    if (!Files.isExecutable(PYTHON)) fail(PYTHON + " is missing: " + what + " needs torch");
    Path copy = dir.resolve(script);
    try (InputStream s = TorchReference.class.getResourceAsStream(script)) {
      Files.copy(s, copy);
    }
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), copy.toString()));
    command.addAll(List.of(args));
    Path log = dir.resolve("export.log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(what + " took over " + seconds + " s");
    }
    if (p.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log);
      fail(
          what
              + " failed:\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
    }
  }

  /** A file of little-endian float32 values. */
  static float[] floats(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(f);
    return f;
  }

  /** max |actual - expected| / max |expected| (infinite for a NaN). */
  static double worst(float[] expected, float[] actual) {
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      double d = Math.abs((double) actual[i] - expected[i]);
      worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
    }
    return worst / scale;
  }

  /** max |actual - expected| <= tol * max |expected|, the scale nonzero; NaN fails. */
  static void assertNear(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + ": element count");
    double scale = 0;
    for (float e : expected) scale = Math.max(scale, Math.abs(e));
    assertTrue(scale > 0, what + ": PyTorch's values are all zero");
    double off = worst(expected, actual);
    assertTrue(
        off <= tol,
        what + ": max |featviz - PyTorch| is " + off + " of the scale " + scale + ", over " + tol);
  }
}
