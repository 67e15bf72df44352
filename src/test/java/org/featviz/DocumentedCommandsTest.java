package org.featviz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.featviz.data.FashionMnist;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every featviz command that README.md and docs/user-guide.md show runs exactly as written (each in
 * its own JVM, in a scratch folder where {@code models/} is the repository's), and exits 0; and the
 * user guide's Java examples are the ones {@link ApiExampleTest} and {@code UnitAnalysisTest} run.
 * A command added to the docs is run here without anyone listing it.
 */
class DocumentedCommandsTest {
  static final String PREFIX = "java -jar target/featviz.jar";
  private static final List<Path> DOCS =
      List.of(Path.of("README.md"), Path.of("docs/user-guide.md"));

  @TempDir static Path work;

  /**
   * The commands of one Markdown file: fenced lines (with their \ continuations) and inline code
   * spans.
   */
  static List<String> commands(Path doc) throws IOException {
    List<String> found = new ArrayList<>();
    List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
    boolean fenced = false;
    StringBuilder pending = null;
    for (String line : lines) {
      if (line.startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        if (pending != null) {
          pending.append(' ').append(line.strip());
        } else if (line.contains(PREFIX)) {
          pending = new StringBuilder(line.substring(line.indexOf(PREFIX)).strip());
        }
        if (pending != null && pending.toString().endsWith("\\")) {
          pending.setLength(pending.length() - 1);
          continue;
        }
        if (pending != null) found.add(pending.toString().replaceAll("\\s+", " ").strip());
        pending = null;
      } else {
        Matcher m = Pattern.compile("`(" + Pattern.quote(PREFIX) + "[^`]*)`").matcher(line);
        while (m.find()) found.add(m.group(1).strip());
      }
    }
    return found;
  }

  @TestFactory
  Stream<DynamicTest> everyDocumentedCommandRuns() throws IOException {
    BundledModels.path("fashion-cnn");
    TestData.require(
        FashionMnist.defaultDir().resolve("t10k-images-idx3-ubyte.gz"), "dataset-fashion-mnist");
    TestData.require(Path.of("/usr/share/libonnx-testdata/data/node"), "libonnx-testdata");
    Files.createSymbolicLink(work.resolve("models"), Path.of("models").toAbsolutePath());
    List<String> all = new ArrayList<>();
    for (Path doc : DOCS) all.addAll(commands(doc));
    assertTrue(all.size() >= 8, "found only " + all + " in " + DOCS);
    return all.stream().distinct().map(c -> DynamicTest.dynamicTest(c, () -> run(c)));
  }

  private static void run(String command) throws Exception {
    List<String> argv = ThisJvm.withClassPath();
    argv.add("org.featviz.cli.Main");
    for (String word : command.substring(PREFIX.length()).strip().split(" ")) {
      assertFalse(
          word.contains("'") || word.contains("\"") || word.contains("$"),
          "this test splits commands on spaces only: " + command);
      argv.add(word);
    }
    Path log = Files.createTempFile(work, "command", ".log");
    Process p =
        new ProcessBuilder(argv)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(command + ": still running after 10 minutes");
    }
    String output = Files.readString(log);
    assertEquals(0, p.exitValue(), command + "\n" + output);
    assertFalse(
        output.contains("Exception") || output.contains("internal error"), command + "\n" + output);
    Matcher out = Pattern.compile("--out (\\S+)").matcher(command);
    if (out.find()) {
      Path dir = work.resolve(out.group(1));
      assertTrue(
          Files.exists(dir.resolve("results.json"))
              || Files.exists(dir.resolve("results.csv"))
              || Files.exists(dir.resolve("units.csv"))
              || Files.exists(dir.resolve("summary.json"))
              || Files.exists(dir.resolve("kernels.json")),
          command + ": no results in " + dir + "\n" + output);
    }
  }

  /**
   * The user guide's Java examples, in order, and the tests that run each between their markers,
   * with the declaration each test makes before its block (so that it can check the result after
   * it) put back where the guide has it.
   */
  private static final List<String[]> JAVA_EXAMPLES =
      List.of(
          new String[] {
            "src/test/java/org/featviz/ApiExampleTest.java",
            "{results=",
            "{List<RenderResult>results="
          },
          new String[] {
            "src/test/java/org/featviz/analyze/UnitAnalysisTest.java",
            "{result=",
            "{AnalysisResultresult="
          });

  /**
   * Each of the user guide's Java examples is, token for token, the block that its test runs
   * between its markers.
   */
  @Test
  void theJavaExamplesAreTheOnesTheirTestsRun() throws IOException {
    String guide = Files.readString(Path.of("docs/user-guide.md"));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(guide);
    List<String> blocks = new ArrayList<>();
    while (block.find()) blocks.add(block.group(1));
    assertEquals(JAVA_EXAMPLES.size(), blocks.size(), "docs/user-guide.md's ```java blocks");
    for (int i = 0; i < blocks.size(); i++) {
      String documented =
          blocks
              .get(i)
              .lines()
              .filter(l -> !l.startsWith("import "))
              .reduce("", String::concat)
              .replaceAll("\\s+", "");
      String[] example = JAVA_EXAMPLES.get(i);
      String test = Files.readString(Path.of(example[0]));
      String between =
          test.substring(
              test.indexOf("// ---- from docs/user-guide.md"), test.indexOf("// ---- end"));
      // The same tokens in the same order; the layout is each file's own (the formatter's in the
      // test).
      String tested =
          between
              .lines()
              .skip(1)
              .reduce("", String::concat)
              .replaceAll("\\s+", "")
              .replaceFirst(Pattern.quote(example[1]), Matcher.quoteReplacement(example[2]));
      assertTrue(documented.length() > 200, "java block " + (i + 1) + ": " + documented);
      assertEquals(documented, tested, "java block " + (i + 1) + " and " + example[0]);
    }
  }
}
