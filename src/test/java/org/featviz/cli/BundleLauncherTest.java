package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.featviz.TestData;
import org.featviz.cuda.compat.ElfSymbols;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks a built portable bundle (docs/bundle.md): its launcher runs the bundle's own Java runtime,
 * also through a symlink, from another folder, with no JAVA_HOME and a PATH whose {@code java} must
 * not be used; it draws text on images with the runtime's own font support; lib/ holds Linux x86-64
 * natives only. The bundle comes from {@code mvn -Pbundle package}, which runs after the tests, so
 * these check the bundle of an earlier build: {@code featviz-bundle} beside the test classes, or
 * the folder named by {@code -Dfeatviz.bundle=...} (then it must exist). Without a bundle they are
 * skipped.
 */
class BundleLauncherTest {
  private static final String BUNDLE_PROPERTY = "featviz.bundle";
  private static Path bundle;

  @BeforeAll
  static void findBundle() throws URISyntaxException {
    String named = System.getProperty(BUNDLE_PROPERTY);
    if (named != null && !named.isBlank()) {
      bundle = Path.of(named).toAbsolutePath();
      if (!Files.isExecutable(bundle.resolve("bin/featviz"))) {
        fail("-D" + BUNDLE_PROPERTY + "=" + named + " has no executable bin/featviz");
      }
      return;
    }
    // test-classes/ and featviz-bundle/ are both directly in the build directory
    // (featviz.buildDir).
    Path testClasses =
        Path.of(
            BundleLauncherTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    bundle = testClasses.getParent().resolve("featviz-bundle");
    assumeTrue(
        Files.isExecutable(bundle.resolve("bin/featviz")),
        "no bundle at " + bundle + " (build one with mvn -Pbundle package -DskipTests)");
  }

  @Test
  void helpRunsThroughASymlinkWithoutJavaOnThePath(@TempDir Path dir) throws Exception {
    Path link = Files.createDirectories(dir.resolve("links")).resolve("featviz");
    Files.createSymbolicLink(link, bundle.resolve("bin/featviz"));
    Path workDir = Files.createDirectories(dir.resolve("work"));

    Result r = run(dir, workDir, Map.of(), link.toString(), "--help");

    assertEquals(0, r.exitCode(), r.output());
    assertFalse(r.output().contains("WRONG JAVA"), r.output());
    assertTrue(r.output().contains("Usage: featviz"), r.output());
    for (String command : List.of("info", "render", "sweep", "eval", "conformance")) {
      assertTrue(
          r.output().contains("  " + command + " "), command + " missing in:\n" + r.output());
    }
  }

  @Test
  void theJvmIsTheBundledRuntimeAndHeadless(@TempDir Path dir) throws Exception {
    Result r =
        run(
            dir,
            dir,
            Map.of("FEATVIZ_JAVA_OPTS", "-XshowSettings:properties"),
            bundle.resolve("bin/featviz").toString(),
            "--version");

    assertEquals(0, r.exitCode(), r.output());
    assertTrue(
        r.output().contains("java.home = " + bundle.resolve("runtime").toRealPath()), r.output());
    assertTrue(r.output().contains("java.awt.headless = true"), r.output());
  }

  /**
   * The contact sheet's labels need the runtime's font support: libfontmanager's libraries and a
   * font.
   */
  @Test
  void rendersAContactSheetWithTextLabels(@TempDir Path dir) throws Exception {
    Path model =
        TestData.require(
            Path.of("/usr/share/libonnx-testdata/data/node/test_averagepool_2d_default/model.onnx"),
            "libonnx-testdata");
    Path out = dir.resolve("out");
    // x [1, 3, 32, 32] -> AveragePool 2x2 -> y [1, 3, 31, 31]: channel 0 of y, two optimization
    // steps.
    Result r =
        run(
            dir,
            dir,
            Map.of(),
            bundle.resolve("bin/featviz").toString(),
            "render",
            "--model",
            model.toString(),
            "--layer",
            "y",
            "--unit",
            "0",
            "--steps",
            "2",
            "--transforms",
            "none",
            "--out",
            out.toString());

    assertEquals(0, r.exitCode(), r.output());
    assertTrue(Files.size(out.resolve("contact_sheet.png")) > 0, r.output());
  }

  @Test
  void runtimeCarriesFontSupportForBareHosts() throws IOException {
    Path runtimeLib = bundle.resolve("runtime/lib");
    String properties = Files.readString(runtimeLib.resolve("fontconfig.properties"));
    String fontFile =
        properties
            .lines()
            .filter(l -> l.startsWith("filename."))
            .map(l -> l.substring(l.indexOf("$JRE_LIB_FONTS/") + "$JRE_LIB_FONTS/".length()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no filename. entry in:\n" + properties));
    assertTrue(Files.size(runtimeLib.resolve("fonts").resolve(fontFile)) > 0, fontFile);
    // Debian's libfontmanager.so links the system's FreeType and HarfBuzz: the runtime must carry
    // every library
    // it needs beyond those on every Linux host (their own dependencies are checked by the render
    // test above).
    Set<String> everyHost =
        Set.of(
            "libc.so.6",
            "libm.so.6",
            "libdl.so.2",
            "libpthread.so.0",
            "librt.so.1",
            "libstdc++.so.6",
            "libgcc_s.so.1",
            "libz.so.1",
            "libjvm.so");
    List<String> needed = ElfSymbols.read(runtimeLib.resolve("libfontmanager.so")).needed();
    for (String soname : needed) {
      if (everyHost.contains(soname)) continue;
      assertTrue(
          Files.isRegularFile(runtimeLib.resolve(soname)),
          soname + " (needed by libfontmanager.so) missing");
    }
  }

  @Test
  void libHoldsLinuxX8664NativesOnly() throws IOException {
    List<String> jars;
    try (Stream<Path> files = Files.list(bundle.resolve("lib"))) {
      jars = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertTrue(jars.contains("featviz.jar"), jars.toString());
    assertTrue(
        jars.stream().anyMatch(j -> j.matches("onnx-.*-linux-x86_64\\.jar")), jars.toString());
    assertTrue(
        jars.stream().anyMatch(j -> j.matches("javacpp-.*-linux-x86_64\\.jar")), jars.toString());
    for (String jar : jars) {
      assertFalse(
          jar.matches(
              "(javacpp|onnx)-.*-(android|ios|macosx|windows|linux-(arm64|armhf|ppc64le|x86\\.jar)).*"),
          "a jar of another platform: " + jar);
    }

    Path jcudaNatives =
        jars.stream()
            .filter(j -> j.startsWith("jcuda-natives-"))
            .findFirst()
            .map(bundle.resolve("lib")::resolve)
            .orElseThrow(() -> new AssertionError("no jcuda-natives in " + jars));
    try (ZipFile zip = new ZipFile(jcudaNatives.toFile())) {
      List<String> natives =
          zip.stream().map(e -> e.getName()).filter(n -> n.endsWith(".so")).toList();
      assertTrue(
          natives.stream().anyMatch(n -> n.startsWith("lib/libJCudaDriver-")), natives.toString());
      assertFalse(natives.stream().anyMatch(n -> n.contains("NvPTXCompiler")), natives.toString());
    }
  }

  record Result(int exitCode, String output) {}

  /**
   * Runs a command in {@code workDir} with only PATH (a fake {@code java} that fails loudly first,
   * then /usr/bin:/bin), HOME and {@code extraEnv} set: no JAVA_HOME.
   */
  private static Result run(Path dir, Path workDir, Map<String, String> extraEnv, String... command)
      throws IOException, InterruptedException {
    Path fakeBin = Files.createDirectories(dir.resolve("fake-java-bin"));
    Path fakeJava = fakeBin.resolve("java");
    if (!Files.exists(fakeJava)) {
      Files.writeString(
          fakeJava,
          "#!/bin/sh\necho 'WRONG JAVA: the launcher used java from the PATH' >&2\nexit 99\n");
      Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path log = dir.resolve("output-" + System.nanoTime() + ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(new ArrayList<>(List.of(command)))
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", fakeBin + ":/usr/bin:/bin");
    env.put("HOME", System.getProperty("user.home"));
    env.putAll(extraEnv);
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + String.join(" ", command));
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
