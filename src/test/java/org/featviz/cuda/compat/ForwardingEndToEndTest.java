package org.featviz.cuda.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forwarder at work, with a fake target instead of cuBLAS: the test writes and compiles a tiny
 * {@code libfvfake.so.13}, a forwarding {@code libfvfake.so.12} for its functions plus one it
 * lacks, and a C program linked against the forwarder, and checks what the program prints. The
 * functions cover integer, pointer, floating-point, stack-passed, variadic and struct-returning
 * calls, since a trampoline must pass every one through.
 */
class ForwardingEndToEndTest {
  /**
   * The fake cuBLAS 13: results depend on every argument with a distinct weight, so a lost one
   * shows.
   */
  private static final String TARGET_SOURCE =
      """
      #include <stdarg.h>
      struct triple { long a, b, c; };
      int fake_add(int a, int b) { return a + b + 1000; }
      /* 8 integer and 10 floating-point arguments: the last two of each kind go on the stack. */
      double fake_mix(int i1, long i2, int i3, long i4, int i5, long i6, int i7, long i8,
                      double d1, double d2, double d3, double d4, double d5,
                      double d6, double d7, double d8, float d9, double d10) {
        return i1 * 1.0 + i2 * 2.0 + i3 * 3.0 + i4 * 4.0 + i5 * 5.0 + i6 * 6.0 + i7 * 7.0 + i8 * 8.0
             + d1 * 100.0 + d2 * 200.0 + d3 * 300.0 + d4 * 400.0 + d5 * 500.0
             + d6 * 600.0 + d7 * 700.0 + d8 * 800.0 + d9 * 900.0 + d10 * 1000.0;
      }
      /* Returned through a hidden pointer argument (too big for registers). */
      struct triple fake_triple(long a, long b, long c) { struct triple t = {c, b * 10, a * 100}; return t; }
      /* Variadic: %al carries the number of vector registers used, and must survive the trampoline. */
      double fake_vsum(int n, ...) {
        va_list args; va_start(args, n); double s = 0;
        for (int i = 0; i < n; i++) s += va_arg(args, double) * (i + 1);
        va_end(args); return s;
      }
      const char *fake_echo(const char *s) { return s; }
      """;

  private static final String PROGRAM_SOURCE =
      """
      #include <stdio.h>
      #include <string.h>
      struct triple { long a, b, c; };
      int fake_add(int a, int b);
      double fake_mix(int, long, int, long, int, long, int, long,
                      double, double, double, double, double, double, double, double, float, double);
      struct triple fake_triple(long a, long b, long c);
      double fake_vsum(int n, ...);
      const char *fake_echo(const char *s);
      int fake_gone(int x);
      const char *featviz_compat_status(void);
      int main(int argc, char **argv) {
        printf("add %d\\n", fake_add(20, 22));
        printf("gone %d\\n", fake_gone(5));
        printf("status %s\\n", featviz_compat_status());
        if (argc > 1 && strcmp(argv[1], "status-only") == 0) return 0;
        printf("mix %.17g\\n", fake_mix(1, 2, 3, 4, 5, 6, 7, 8,
                                         0.5, 0.25, 0.125, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5f, 7.5));
        struct triple t = fake_triple(7, 8, 9);
        printf("triple %ld %ld %ld\\n", t.a, t.b, t.c);
        printf("vsum %.17g\\n", fake_vsum(3, 1.5, 2.5, 3.5));
        const char *hello = "hello";
        printf("echo %d\\n", fake_echo(hello) == hello);
        return 0;
      }
      """;

  private static final List<String> FORWARDED =
      List.of("fake_add", "fake_mix", "fake_triple", "fake_vsum", "fake_echo", "fake_gone");
  private static final int MISSING = 77;

  @TempDir Path dir;
  private CCompiler cc;

  @BeforeEach
  void compiler() {
    cc = NativeTools.compiler();
  }

  @Test
  void callsReachTheTargetWithAllArgumentsAndMissingOnesReturnTheStatus() throws Exception {
    Path targetDir = Files.createDirectories(dir.resolve("target"));
    Files.writeString(targetDir.resolve("fake.c"), TARGET_SOURCE);
    cc.run(
        List.of(
            "-shared",
            "-fPIC",
            "-O2",
            "-Wl,-soname,libfvfake.so.13",
            "-o",
            "libfvfake.so.13",
            "fake.c"),
        targetDir);
    // The soname alone is not on any loader path here, so the constructor must fall back to the
    // absolute path.
    Path target = targetDir.resolve("libfvfake.so.13");
    ForwardingLibrary lib =
        ForwardingLibrary.of(
            "libfvfake.so.12", FORWARDED, List.of("libfvfake.so.13", target.toString()), MISSING);
    Path forwarder = ForwardingLibraryBuilder.build(lib, dir.resolve("cache"));
    Path program = linkProgram(forwarder);

    // The program asks for the versioned symbols, as the JNI natives do.
    Set<String> expectedImports = new TreeSet<>(FORWARDED);
    expectedImports.add(ForwardingLibrary.STATUS_FUNCTION);
    assertEquals(
        expectedImports, new TreeSet<>(ElfSymbols.read(program).undefinedNames("libfvfake.so.12")));

    Map<String, String> out = run(program, false);
    assertEquals("1042", out.get("add"));
    assertEquals(String.valueOf(MISSING), out.get("gone"));
    assertEquals(
        "libfvfake.so.12: forwarding to "
            + target
            + ", 5 of 6 functions found, the others return 77",
        out.get("status"));
    double mix =
        1
            + 2 * 2
            + 3 * 3
            + 4 * 4
            + 5 * 5
            + 6 * 6
            + 7 * 7
            + 8 * 8
            + 0.5 * 100
            + 0.25 * 200
            + 0.125 * 300
            + 1.5 * 400
            + 2.5 * 500
            + 3.5 * 600
            + 4.5 * 700
            + 5.5 * 800
            + 6.5 * 900
            + 7.5 * 1000; // every term exact in binary, so the sum is too
    assertEquals(mix, Double.parseDouble(out.get("mix")));
    assertEquals("9 80 700", out.get("triple"));
    assertEquals(1.5 + 2 * 2.5 + 3 * 3.5, Double.parseDouble(out.get("vsum")));
    assertEquals("1", out.get("echo"));
  }

  @Test
  void withNoTargetEveryFunctionReturnsTheStatusAndNothingCrashes() throws Exception {
    ForwardingLibrary lib =
        ForwardingLibrary.of(
            "libfvfake.so.12",
            FORWARDED,
            List.of("libfvfake-nowhere.so.13", dir.resolve("missing/libfvfake.so.13").toString()),
            MISSING);
    Path program = linkProgram(ForwardingLibraryBuilder.build(lib, dir.resolve("cache")));
    // Only the calls that return an int or the status string: a stub returns its status in the
    // integer register, so
    // a caller expecting a double, a struct or a pointer to dereference would read garbage.
    Map<String, String> out = run(program, true);
    assertEquals(String.valueOf(MISSING), out.get("add"));
    assertEquals(String.valueOf(MISSING), out.get("gone"));
    assertTrue(
        out.get("status").startsWith("libfvfake.so.12: no target loaded (last error: "),
        out.get("status"));
    assertTrue(out.get("status").contains("missing/libfvfake.so.13"), out.get("status"));
    assertTrue(out.get("status").endsWith("all 6 functions return 77"), out.get("status"));
  }

  /**
   * Links the test program against the forwarder; the RUNPATH points at the forwarder's cache
   * folder.
   */
  private Path linkProgram(Path forwarder) throws IOException {
    Path work = Files.createDirectories(dir.resolve("program"));
    Files.writeString(work.resolve("main.c"), PROGRAM_SOURCE);
    cc.run(
        List.of(
            "-O2",
            "-fPIE",
            "-pie",
            "-o",
            "main",
            "main.c",
            forwarder.toString(),
            "-Wl,--enable-new-dtags,-rpath," + forwarder.getParent()),
        work);
    return work.resolve("main");
  }

  /** Runs the program and returns its output lines as "first word" -> "rest of the line". */
  private Map<String, String> run(Path program, boolean statusOnly) throws Exception {
    NativeTools.Result result =
        NativeTools.run(
            List.of(program.toString(), statusOnly ? "status-only" : "all"), Map.of(), dir);
    assertEquals(0, result.exitCode(), result.output());
    Map<String, String> lines = new HashMap<>();
    for (String line : result.output().split("\n")) {
      int space = line.indexOf(' ');
      if (space > 0) lines.put(line.substring(0, space), line.substring(space + 1));
    }
    return lines;
  }
}
