package org.featviz.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.featviz.ThisJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * bench/gpu-first-run.sh --rehearse end to end, so that the script the first GPU session runs in
 * its one device call has run before: every step on the emulator or the CPU, or skipped by
 * rehearsal with the reason (the gpu-tagged tests need a bundle, the export and the peer a python3
 * with torch). featviz runs from this test's class path, as in a CI checkout without a bundle.
 */
class GpuFirstRunRehearsalTest {
  @TempDir Path out;

  @Test
  void theRehearsalRunsEveryStepAndWritesItsReports() throws Exception {
    Path script = Path.of("bench/gpu-first-run.sh").toAbsolutePath();
    ProcessBuilder pb =
        new ProcessBuilder("bash", script.toString(), "--rehearse")
            .redirectErrorStream(true)
            .directory(script.getParent().getParent().toFile());
    pb.environment().put("OUT", out.toString());
    // No bundle and no carry: a CI checkout; and nothing of this checkout's target/ is touched.
    pb.environment().put("BUNDLE", out.resolve("no-bundle").toString());
    pb.environment().put("CARRY", out.resolve("no-carry").toString());
    pb.environment()
        .put(
            "FEATVIZ_CLASSPATH",
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    pb.environment().put("FEATVIZ_JAVA", ThisJvm.java());
    long t0 = System.nanoTime();
    Process p = pb.start();
    p.getOutputStream().close();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the rehearsal ran past 240 s:\n" + log);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, p.exitValue(), log);
    assertTrue(
        seconds < 180, "the rehearsal took " + seconds + " s, more than its 3 minutes:\n" + log);

    List<String> files =
        Files.list(out)
            .filter(Files::isRegularFile)
            .map(f -> f.getFileName().toString())
            .sorted()
            .toList();
    assertEquals(
        List.of(
            "conformance.txt",
            "gpu-tests.txt",
            "host.txt",
            "kernels.json",
            "kernels.md",
            "steps.xml",
            "summary.txt",
            "throughput.txt"),
        files,
        "gpu-tests.xml only where a bundle ran the tests");

    String summary = Files.readString(out.resolve("summary.txt"));
    assertTrue(summary.contains("result: every step that ran passed"), summary);
    for (String passed :
        List.of(
            "| host | passed",
            "| libraries | passed",
            "| doctor | passed",
            "| conformance | passed",
            "| kernels | passed",
            "| bench-fashion-cnn-featviz | passed")) {
      assertTrue(summary.contains(passed), passed + " in\n" + summary);
    }
    assertTrue(summary.contains("| gpu-tests | skipped | 0 | skipped by rehearsal: no "), summary);
    assertTrue(summary.contains("conformance: 8 passed, 0 failed"), summary);
    assertTrue(summary.matches("(?s).*kernels: ([0-9]+) of \\1 checks passed.*"), summary);
    assertTrue(summary.contains("| device_copy |"), summary);
    assertTrue(summary.matches("(?s).*\\| fashion-cnn relu1 \\| 2 \\| [0-9.]+ \\|.*"), summary);
    assertTrue(Files.readString(out.resolve("host.txt")).contains("GPU: none usable"));

    Document xml =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(out.resolve("steps.xml").toFile());
    Element suite = xml.getDocumentElement();
    assertEquals("featviz.gpu-first-run.rehearse", suite.getAttribute("name"));
    assertEquals("0", suite.getAttribute("failures"), summary);
    NodeList cases = suite.getElementsByTagName("testcase");
    assertEquals(15, cases.getLength(), summary);
    // The peer side: run where python3 has torch and onnx, else skipped by rehearsal, never failed.
    boolean torch = !summary.contains("| peer-check | skipped");
    for (int i = 0; i < cases.getLength(); i++) {
      Element c = (Element) cases.item(i);
      String name = c.getAttribute("name");
      boolean skipped = c.getElementsByTagName("skipped").getLength() > 0;
      if (name.contains("peer")
          || name.equals("export")
          || name.startsWith("bench-googlenet")
          || name.startsWith("bench-vgg16")) {
        assertEquals(!torch, skipped, name + " in\n" + summary);
      }
    }
    assertTrue(
        log.contains(
            "files: conformance.txt gpu-tests.txt host.txt kernels.json kernels.md steps.xml summary.txt"
                + " throughput.txt"),
        log);
    assertTrue(new File(out.toFile(), "throughput.txt").length() > 0);
  }
}
