package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.featviz.device.KernelSignature;
import org.featviz.device.emu.EmulatedDevice;
import org.junit.jupiter.api.Test;

/**
 * The PTX shipped in the jar is built from the kernel sources as they are now (each .cu and the
 * local headers it includes, such as cuda/common.cuh), and the GPU and the emulator agree on every
 * kernel's parameters. With nvcc on the PATH, every kernel source (cuda/ and the emulator
 * self-tests) must also compile cleanly, warnings included. Runs from the repository root, as Maven
 * runs tests.
 */
class PtxFreshnessTest {
  private static final Path CUDA = Path.of("cuda");
  private static final String BOUNDS = "(?:__launch_bounds__\\s*\\([^)]*\\)\\s*)?";
  private static final Pattern KERNEL =
      Pattern.compile(
          "extern\\s+\"C\"\\s+__global__\\s+" + BOUNDS + "void\\s+" + BOUNDS + "(\\w+)\\s*\\(");
  private static final Pattern INCLUDE =
      Pattern.compile("(?m)^[ \\t]*#[ \\t]*include[ \\t]*\"([^\"]+)\"");

  private static List<Path> sources(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
    }
  }

  private static String moduleName(Path source) {
    String file = source.getFileName().toString();
    return file.substring(0, file.length() - ".cu".length());
  }

  /** A source's text without its comments (newlines kept where line comments end). */
  private static String withoutComments(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8)
        .replaceAll("(?s)/\\*.*?\\*/", " ")
        .replaceAll("//[^\n]*", " ");
  }

  /**
   * Adds to {@code headers} the local headers {@code file} includes ({@code #include "name"} that
   * exists beside it), each the first time it is included, before the headers it includes in turn:
   * the order of {@code cuda/emu/gen_emu_sources.py --includes}.
   */
  private static void localIncludes(Path file, List<Path> headers) throws IOException {
    Matcher m = INCLUDE.matcher(withoutComments(file));
    while (m.find()) {
      Path header = file.resolveSibling(m.group(1)).normalize();
      if (!Files.isRegularFile(header) || headers.contains(header)) continue;
      headers.add(header);
      localIncludes(header, headers);
    }
  }

  /**
   * What cuda/build-ptx.sh records: the SHA-256 of the source followed by the local headers it
   * includes.
   */
  private static String sourceHash(Path source) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    digest.update(Files.readAllBytes(source));
    List<Path> headers = new ArrayList<>();
    localIncludes(source, headers);
    for (Path header : headers) digest.update(Files.readAllBytes(header));
    return HexFormat.of().formatHex(digest.digest());
  }

  @Test
  void everyKernelSourceHasPtxBuiltFromItsCurrentText() throws Exception {
    Map<String, PtxModule> modules = new TreeMap<>();
    for (PtxModule m : PtxModule.loadAll()) modules.put(m.name(), m);
    List<String> problems = new ArrayList<>();
    for (Path source : sources(CUDA)) {
      PtxModule module = modules.remove(moduleName(source));
      if (module == null) {
        problems.add(source + " has no PTX");
      } else if (!sourceHash(source).equals(module.sourceSha256())) {
        problems.add(
            source
                + " or a header it includes changed since ptx/"
                + module.name()
                + ".ptx was built");
      }
    }
    for (String orphan : modules.keySet())
      problems.add("ptx/" + orphan + ".ptx has no source cuda/" + orphan + ".cu");
    if (!problems.isEmpty())
      fail("stale PTX: run cuda/build-ptx.sh (" + String.join("; ", problems) + ")");
  }

  @Test
  void ptxAndEmulatorAgreeOnEveryKernelSignature() throws Exception {
    Map<String, KernelSignature> ptx = new TreeMap<>();
    for (PtxModule m : PtxModule.loadAll()) ptx.putAll(m.kernels());
    TreeSet<String> declared = new TreeSet<>();
    for (Path source : sources(CUDA)) {
      Matcher m = KERNEL.matcher(withoutComments(source));
      while (m.find()) declared.add(m.group(1));
    }
    assertEquals(
        declared, new TreeSet<>(ptx.keySet()), "kernels declared in cuda/*.cu versus PTX entries");
    try (EmulatedDevice emulator = new EmulatedDevice()) {
      assertTrue(
          emulator.kernelNames().containsAll(declared),
          "emulator kernels " + emulator.kernelNames());
      for (String kernel : declared) {
        KernelSignature emulated = emulator.kernelSignature(kernel);
        KernelSignature compiled = ptx.get(kernel);
        assertEquals(
            compiled.params().size(), emulated.params().size(), kernel + " parameter count");
        for (int i = 0; i < compiled.params().size(); i++) {
          KernelSignature.Param p = compiled.params().get(i);
          KernelSignature.Param e = emulated.params().get(i);
          boolean agree =
              p == e
                  || (p == KernelSignature.Param.B64
                      && (e == KernelSignature.Param.PTR || e == KernelSignature.Param.I64));
          assertTrue(agree, kernel + " parameter " + i + ": PTX " + p + ", emulator " + e);
        }
      }
    }
  }

  @Test
  void buildScriptsAndThisTestReadTheSameIncludes() throws Exception {
    Path dir = Files.createTempDirectory("featviz-includes");
    try {
      // a.cu includes b.cuh twice and, through b.cuh, c.cuh; a commented-out include and a system
      // header do not count.
      Files.writeString(
          dir.resolve("a.cu"),
          "// #include \"gone.cuh\"\n#include \"b.cuh\"\n  #  include \"b.cuh\"\n"
              + "#include <cuda_fp16.h>\n/* #include \"c.cuh\" */\nint a;\n");
      Files.writeString(dir.resolve("b.cuh"), "#include \"c.cuh\"\nint b;\n");
      Files.writeString(dir.resolve("c.cuh"), "int c;\n");
      List<Path> headers = new ArrayList<>();
      localIncludes(dir.resolve("a.cu"), headers);
      assertEquals(List.of(dir.resolve("b.cuh"), dir.resolve("c.cuh")), headers);
      String before = sourceHash(dir.resolve("a.cu"));
      Files.writeString(dir.resolve("c.cuh"), "int c2;\n");
      assertTrue(
          !before.equals(sourceHash(dir.resolve("a.cu"))),
          "a header's change changes its includer's hash");
      List<Path> all = new ArrayList<>(sources(CUDA));
      all.add(dir.resolve("a.cu"));
      for (Path source : all) {
        List<Path> expected = new ArrayList<>();
        localIncludes(source, expected);
        assertEquals(
            expected.stream().map(Path::toString).toList(),
            scriptIncludes(source),
            source.toString());
      }
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) Files.delete(f);
      }
      Files.delete(dir);
    }
  }

  /**
   * The headers cuda/emu/gen_emu_sources.py --includes lists for a source (what build-ptx.sh
   * hashes).
   */
  private static List<String> scriptIncludes(Path source) throws Exception {
    Process p =
        new ProcessBuilder(
                "python3", "cuda/emu/gen_emu_sources.py", "--includes", source.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "gen_emu_sources.py --includes timed out");
    assertEquals(0, p.exitValue(), out);
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void nvccCompilesEveryKernelSourceWithoutWarnings() throws Exception {
    Path nvcc = onPath("nvcc");
    assumeTrue(nvcc != null, "nvcc is not on the PATH");
    List<Path> all = new ArrayList<>(sources(CUDA));
    all.addAll(sources(Path.of("src/test/cuda")));
    Path out = Files.createTempDirectory("featviz-ptx");
    try {
      for (Path source : all) {
        Path ptx = out.resolve(moduleName(source) + ".ptx");
        Process p =
            new ProcessBuilder(
                    nvcc.toString(),
                    "-ptx",
                    "-arch=compute_75",
                    "-std=c++17",
                    "--Werror",
                    "all-warnings",
                    "-o",
                    ptx.toString(),
                    source.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc timed out on " + source);
        assertEquals(0, p.exitValue(), "nvcc " + source + ":\n" + log);
        assertTrue(log.isBlank(), "nvcc " + source + " printed:\n" + log);
        assertNotNull(PtxModule.parse(moduleName(source), Files.readString(ptx)).kernels());
      }
    } finally {
      try (Stream<Path> files = Files.list(out)) {
        for (Path f : files.toList()) Files.delete(f);
      }
      Files.delete(out);
    }
  }

  private static Path onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) return candidate;
    }
    return null;
  }
}
