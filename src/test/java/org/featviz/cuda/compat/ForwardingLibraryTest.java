package org.featviz.cuda.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated source and version script, and (with gcc) forwarders built for the full import
 * lists of the JCuda JNI libraries, read back with ElfSymbols; plus the build cache.
 */
class ForwardingLibraryTest {
  @TempDir Path cache;

  @Test
  void generatesOneTrampolinePerSymbolAndAVersionNodeNamedLikeTheSoname() {
    ForwardingLibrary lib =
        ForwardingLibrary.of(
            "libdemo.so.2", List.of("zeta", "alpha", "mid", "alpha"), List.of("libdemo.so.3"), 42);
    assertEquals(List.of("alpha", "mid", "zeta"), lib.symbols());
    String c = lib.cSource();
    // sorted symbols get table slots 0, 1, 2: 8 bytes apart
    assertTrue(c.contains("alpha:\\n  endbr64\\n  jmp *fvc_table+0(%rip)"), c);
    assertTrue(c.contains("mid:\\n  endbr64\\n  jmp *fvc_table+8(%rip)"), c);
    assertTrue(c.contains("zeta:\\n  endbr64\\n  jmp *fvc_table+16(%rip)"), c);
    assertTrue(c.contains("static int fvc_missing(void) { return 42; }"), c);
    assertTrue(c.contains("\"libdemo.so.3\","), c);
    assertEquals(
        """
        libdemo.so.2 {
          global:
            alpha;
            mid;
            zeta;
            featviz_compat_status;
          local:
            *;
        };
        """,
        lib.versionScript());
  }

  @Test
  void rejectsNamesThatCannotBeForwarded() {
    List<String> target = List.of("libx.so.2");
    assertThrows(
        IllegalArgumentException.class,
        () -> ForwardingLibrary.of("libx.so.1", List.of("a b"), target, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> ForwardingLibrary.of("libx.so.1", List.of("9lives"), target, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> ForwardingLibrary.of("libx.so.1", List.of("f;g"), target, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> ForwardingLibrary.of("libx.so.1", List.of("featviz_compat_status"), target, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> ForwardingLibrary.of("libx.so.1", List.of("fvc_table"), target, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> ForwardingLibrary.of("libx.so.1", List.of(), target, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> ForwardingLibrary.of("lib/x.so", List.of("f"), target, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> ForwardingLibrary.of("libx.so.1", List.of("f"), List.of(), 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> ForwardingLibrary.of("libx.so.1", List.of("f"), List.of("bad\0name"), 1));
  }

  @Test
  void cacheKeyDependsOnEveryInputButNotOnSymbolOrder() {
    List<String> t = List.of("libx.so.2");
    String key = ForwardingLibrary.of("libx.so.1", List.of("f", "g"), t, 1).key();
    assertEquals(key, ForwardingLibrary.of("libx.so.1", List.of("g", "f", "g"), t, 1).key());
    assertNotEquals(key, ForwardingLibrary.of("libx.so.9", List.of("f", "g"), t, 1).key());
    assertNotEquals(key, ForwardingLibrary.of("libx.so.1", List.of("f", "h"), t, 1).key());
    assertNotEquals(
        key, ForwardingLibrary.of("libx.so.1", List.of("f", "g"), List.of("liby.so.2"), 1).key());
    assertNotEquals(key, ForwardingLibrary.of("libx.so.1", List.of("f", "g"), t, 2).key());
  }

  @Test
  void forwarderForEveryJcublas2ImportExportsThemAtLibcublasSo12() throws IOException {
    checkFullForwarder(NativeTools.JCUBLAS2_NATIVE, "libcublas.so.12", "libcublas.so.13", 15, 494);
  }

  @Test
  void forwarderForEveryJcudnnImportExportsThemAtLibcudnnSo8() throws IOException {
    checkFullForwarder(NativeTools.JCUDNN_NATIVE, "libcudnn.so.8", "libcudnn.so.9", 3000, 260);
  }

  /**
   * Builds the forwarder for a JNI library's full import list and reads it back: its soname, its
   * version node, and that every import the JNI library requires at that version is exported there
   * (name@@soname, a function), with nothing else exported but the status function; and that it
   * needs nothing but the C library (the target is opened at run time, never linked).
   */
  private void checkFullForwarder(
      String jniResource, String soname, String target, int status, int count) throws IOException {
    NativeTools.compiler();
    ElfSymbols jni = ElfSymbols.parse(NativeTools.resource(jniResource), jniResource);
    List<String> imports = jni.undefinedNames(soname);
    assertEquals(count, imports.size());
    ForwardingLibrary lib =
        ForwardingLibrary.of(soname, imports, List.of(target, "/opt/cuda/lib64/" + target), status);
    Path built = ForwardingLibraryBuilder.build(lib, cache);
    assertEquals(soname, built.getFileName().toString());

    ElfSymbols forwarder = ElfSymbols.read(built);
    assertEquals(Optional.of(soname), forwarder.soname());
    assertEquals(
        List.of(soname, soname),
        forwarder.versionDefinitions()); // the base definition, then the node
    Set<String> exportedFunctions = new TreeSet<>();
    for (ElfSymbol s : forwarder.defined()) {
      if (s.type() == ElfSymbol.Type.FUNC) {
        assertEquals(soname, s.version(), s.toString());
        assertTrue(!s.hidden(), s + " should be the default version (@@)");
        exportedFunctions.add(s.name());
      } else {
        assertEquals(
            soname, s.name(), "only the version node's own symbol besides the functions: " + s);
      }
    }
    Set<String> expected = new TreeSet<>(imports);
    expected.add(ForwardingLibrary.STATUS_FUNCTION);
    assertEquals(expected, exportedFunctions);
    for (ElfSymbol needed : jni.undefined()) {
      if (soname.equals(needed.version()))
        assertTrue(exportedFunctions.contains(needed.name()), needed.toString());
    }
    assertEquals(
        List.of("libc.so.6"),
        forwarder.needed().stream().filter(n -> !n.startsWith("libdl")).toList());
    assertTrue(Files.readString(built.resolveSibling("forward.map")).startsWith(soname + " {"));
  }

  @Test
  void reusesABuildWithTheSameInputsAndRepairsABrokenOne() throws Exception {
    NativeTools.compiler();
    ForwardingLibrary lib =
        ForwardingLibrary.of("libcachetest.so.1", List.of("f", "g"), List.of("libnone.so.2"), 7);
    Path first = ForwardingLibraryBuilder.build(lib, cache);
    FileTime built = Files.getLastModifiedTime(first);
    Files.setLastModifiedTime(first, FileTime.fromMillis(built.toMillis() - 60_000));
    FileTime marked = Files.getLastModifiedTime(first);
    Path second = ForwardingLibraryBuilder.build(lib, cache);
    assertEquals(first, second);
    assertEquals(
        marked, Files.getLastModifiedTime(second), "a cached build must be reused, not rebuilt");

    Files.write(first, new byte[] {0x7f, 'E', 'L', 'F'}); // damaged, e.g. by a full disk
    Path repaired = ForwardingLibraryBuilder.build(lib, cache);
    assertEquals(first, repaired);
    assertEquals(Optional.of("libcachetest.so.1"), ElfSymbols.read(repaired).soname());

    ForwardingLibrary other =
        ForwardingLibrary.of("libcachetest.so.1", List.of("f", "g"), List.of("libnone.so.3"), 7);
    assertNotEquals(
        first,
        ForwardingLibraryBuilder.build(other, cache),
        "different inputs, different cache entry");
  }

  @Test
  void neverUsesACacheRootOthersCanWriteTo() throws IOException {
    Path open = Files.createDirectories(cache.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path used = ForwardingLibraryBuilder.privateRoot(open);
    assertNotEquals(open, used);
    assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(used));
    Files.delete(used);
    Path groupShared = Files.createDirectories(cache.resolve("group"));
    Files.setPosixFilePermissions(
        groupShared, PosixFilePermissions.fromString("rwxrwxr-x")); // umask 002
    assertEquals(groupShared, ForwardingLibraryBuilder.privateRoot(groupShared));
    Path fresh = cache.resolve("new/compat");
    assertEquals(fresh, ForwardingLibraryBuilder.privateRoot(fresh));
    assertEquals(
        PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(fresh));
  }

  @Test
  void concurrentBuildsOfOneLibraryAgree() throws Exception {
    NativeTools.compiler();
    ForwardingLibrary lib =
        ForwardingLibrary.of("libracetest.so.1", List.of("f"), List.of("libnone.so.2"), 7);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Path>> builds = new ArrayList<>();
      for (int i = 0; i < 2; i++)
        builds.add(pool.submit(() -> ForwardingLibraryBuilder.build(lib, cache)));
      Set<Path> results = new HashSet<>();
      for (Future<Path> build : builds) results.add(build.get());
      assertEquals(1, results.size());
      ForwardingLibraryBuilder.check(lib, results.iterator().next());
    } finally {
      pool.shutdown();
    }
    try (var entries = Files.list(cache)) {
      assertEquals(
          List.of("libracetest.so.1-" + lib.key()),
          entries.map(p -> p.getFileName().toString()).toList(),
          "no temporary build folders left behind");
    }
  }

  @Test
  void targetPathsWithQuotesAndBackslashesCompile() throws IOException {
    NativeTools.compiler();
    ForwardingLibrary lib =
        ForwardingLibrary.of(
            "libquote.so.1",
            List.of("f"),
            List.of("/tmp/a \"quoted\" dir/lib\\x?.so", "caf\u00e9/libx.so"),
            1);
    assertTrue(
        lib.cSource().contains("\"/tmp/a \\\"quoted\\\" dir/lib\\\\x\\077.so\""), lib.cSource());
    assertEquals(
        Optional.of("libquote.so.1"),
        ElfSymbols.read(ForwardingLibraryBuilder.build(lib, cache)).soname());
  }
}
