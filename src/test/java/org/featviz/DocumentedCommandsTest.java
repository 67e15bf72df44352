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
 * user guide's Java example is the one {@link ApiExampleTest} runs. A command added to the docs is
 * run here without anyone listing it.
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
    List<String> argv =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.featviz.cli.Main"));
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
              || Files.exists(dir.resolve("units.csv")),
          command + ": no results in " + dir + "\n" + output);
    }
  }

  /**
   * The user guide's Java example is, token for token, the block that ApiExampleTest runs between
   * its markers.
   */
  @Test
  void theJavaExampleIsTheOneApiExampleTestRuns() throws IOException {
    String guide = Files.readString(Path.of("docs/user-guide.md"));
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(guide);
    assertTrue(block.find(), "docs/user-guide.md has a ```java block");
    String documented =
        block
            .group(1)
            .lines()
            .filter(l -> !l.startsWith("import "))
            .reduce("", String::concat)
            .replaceAll("\\s+", "");
    String test = Files.readString(Path.of("src/test/java/org/featviz/ApiExampleTest.java"));
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
            .replaceFirst("\\{results=", "{List<RenderResult>results=");
    assertTrue(documented.length() > 200, "the java block: " + documented);
    assertEquals(documented, tested);
  }
}
