package org.featviz.cuda.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.featviz.cuda.compat.ElfSymbols.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ElfSymbols on the real JCuda JNI libraries, checked against nm where binutils is installed, and
 * on broken files.
 */
class ElfSymbolsTest {
  @TempDir Path dir;

  /**
   * JCublas2 12.6.0's JNI library calls 494 distinct cuBLAS functions (the v2 API, its _64 variants
   * and the Ex calls; counted by nm -D as "U name@libcublas.so.12"), all required at version
   * libcublas.so.12 from file libcublas.so.12. Its other imports are glibc and libstdc++ functions
   * and three unversioned weak symbols (__gmon_start__ and the two _ITM_ transactional-memory
   * hooks).
   */
  @Test
  void jcublas2NativeImports494CublasFunctions() throws IOException {
    ElfSymbols jni =
        ElfSymbols.parse(NativeTools.resource(NativeTools.JCUBLAS2_NATIVE), "JCublas2");
    assertEquals(Optional.of("libJCublas2-12.6.0-linux-x86_64.so"), jni.soname());
    assertTrue(jni.needed().contains("libcublas.so.12"), jni.needed().toString());
    assertEquals(List.of("/usr/local/cuda-12.0/lib64"), jni.runpath());
    List<String> cublas = jni.undefinedNames("libcublas.so.12");
    assertEquals(494, cublas.size());
    assertTrue(
        cublas.containsAll(
            List.of("cublasCreate_v2", "cublasSgemm_v2", "cublasSgemmStridedBatched_64")));
    for (ElfSymbol s : jni.undefined()) {
      if ("libcublas.so.12".equals(s.version())) {
        assertEquals(ElfSymbol.Type.FUNC, s.type(), s.toString());
        assertEquals(ElfSymbol.Binding.GLOBAL, s.binding(), s.toString());
        assertEquals("libcublas.so.12", s.versionFile(), s.toString());
      }
    }
    assertEquals(
        Set.of("__gmon_start__", "_ITM_deregisterTMCloneTable", "_ITM_registerTMCloneTable"),
        jni.undefined().stream()
            .filter(s -> s.version() == null)
            .map(ElfSymbol::name)
            .collect(Collectors.toSet()));
    // 499 JNI entry points (one per native method of JCublas2), none of them versioned: no version
    // definitions.
    assertEquals(
        499,
        jni.defined().stream()
            .filter(s -> s.name().startsWith("Java_jcuda_jcublas_JCublas2_"))
            .count());
    assertTrue(jni.versionDefinitions().isEmpty());
  }

  /**
   * JCudnn 11.7.0's JNI library calls 260 distinct cuDNN functions, all required at version
   * libcudnn.so.8 (nm -D counts the same); 54 of them no longer exist in cuDNN 9 (see
   * docs/cuda-compat.md).
   */
  @Test
  void jcudnnNativeImports260CudnnFunctions() throws IOException {
    ElfSymbols jni = ElfSymbols.parse(NativeTools.resource(NativeTools.JCUDNN_NATIVE), "JCudnn");
    assertEquals(Optional.of("libJCudnn-11.7.0-linux-x86_64.so"), jni.soname());
    assertEquals(List.of("libcudnn.so.8", "libstdc++.so.6", "libc.so.6"), jni.needed());
    List<String> cudnn = jni.undefinedNames("libcudnn.so.8");
    assertEquals(260, cudnn.size());
    assertTrue(
        cudnn.containsAll(List.of("cudnnCreate", "cudnnConvolutionForward", "cudnnGetVersion")));
    assertTrue(cudnn.stream().allMatch(name -> name.startsWith("cudnn")), cudnn.toString());
    assertEquals(
        264,
        jni.defined().stream()
            .filter(s -> s.name().startsWith("Java_jcuda_jcudnn_JCudnn_"))
            .count());
  }

  /**
   * The section headers and the dynamic segment (the loader's own route) lead to the same tables.
   */
  @Test
  void sectionHeadersAndDynamicSegmentAgree() throws IOException {
    for (String name : List.of(NativeTools.JCUBLAS2_NATIVE, NativeTools.JCUDNN_NATIVE)) {
      byte[] bytes = NativeTools.resource(name);
      ElfSymbols viaSections =
          ElfSymbols.parse(ByteBuffer.wrap(bytes), name, Route.SECTION_HEADERS);
      ElfSymbols viaDynamic = ElfSymbols.parse(ByteBuffer.wrap(bytes), name, Route.DYNAMIC_SEGMENT);
      assertSame(viaSections, viaDynamic);

      // The same library with its section headers removed (as sstrip does) is read through the
      // dynamic segment.
      byte[] stripped = bytes.clone();
      ByteBuffer header = ByteBuffer.wrap(stripped).order(ByteOrder.LITTLE_ENDIAN);
      header.putLong(40, 0); // e_shoff
      header.putShort(60, (short) 0); // e_shnum
      header.putShort(62, (short) 0); // e_shstrndx
      assertSame(viaSections, ElfSymbols.parse(stripped, name + " without section headers"));
    }
  }

  private static void assertSame(ElfSymbols expected, ElfSymbols actual) {
    assertEquals(expected.soname(), actual.soname());
    assertEquals(expected.needed(), actual.needed());
    assertEquals(expected.runpath(), actual.runpath());
    assertEquals(expected.versionDefinitions(), actual.versionDefinitions());
    assertEquals(expected.symbols(), actual.symbols());
  }

  /**
   * An independent oracle: nm -D from binutils lists the same names and versions, defined and
   * undefined.
   */
  @Test
  void matchesNm() throws Exception {
    Optional<Path> nm =
        Stream.of("/usr/bin/nm", "/bin/nm").map(Path::of).filter(Files::isExecutable).findFirst();
    if (nm.isEmpty()) NativeTools.skipOrFail("binutils (nm) is not installed");
    for (String name : List.of(NativeTools.JCUBLAS2_NATIVE, NativeTools.JCUDNN_NATIVE)) {
      Path file = NativeTools.extract(name, dir);
      NativeTools.Result result =
          NativeTools.run(List.of(nm.get().toString(), "-D", file.toString()), Map.of(), dir);
      assertEquals(0, result.exitCode(), result.output());
      // nm -D lines: "<value> <type letter> name[@version|@@version]", or "U name@version" for
      // imports.
      Set<String> expected = new TreeSet<>();
      for (String line : result.output().split("\n")) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length == 2) expected.add("U " + fields[1]);
        if (fields.length == 3) expected.add("D " + fields[2]);
      }
      Set<String> actual = new TreeSet<>();
      for (ElfSymbol s : ElfSymbols.read(file).symbols())
        actual.add((s.defined() ? "D " : "U ") + s);
      assertEquals(expected, actual, name);
    }
  }

  @Test
  void explainsFilesThatAreNotElf64X8664SharedObjects() throws IOException {
    byte[] good = NativeTools.resource(NativeTools.JCUDNN_NATIVE);
    assertRejected("hello, world\n".getBytes(StandardCharsets.US_ASCII), "not an ELF file");
    assertRejected(new byte[0], "not an ELF file");
    assertRejected(Arrays.copyOf(good, 40), "truncated ELF header");
    assertRejected(patch(good, 4, 1), "32-bit ELF");
    assertRejected(patch(good, 5, 2), "big-endian");
    assertRejected(patch(good, 18, 183), "built for AArch64, not x86-64");
    assertRejected(patch(good, 16, 2), "executable (ET_EXEC), not a shared object");
    assertRejected(patch(good, 16, 1), "relocatable object (ET_REL)");
    assertRejected(Arrays.copyOf(good, 3000), "truncated or corrupt");
  }

  @Test
  void readsFilesAndNamesThemInErrors() throws IOException {
    Path file = NativeTools.extract(NativeTools.JCUDNN_NATIVE, dir);
    assertEquals(Optional.of("libJCudnn-11.7.0-linux-x86_64.so"), ElfSymbols.read(file).soname());
    Path text = Files.writeString(dir.resolve("notes.txt"), "not a library");
    ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfSymbols.read(text));
    assertTrue(e.getMessage().startsWith(text.toString()), e.getMessage());
  }

  @Test
  void symbolsPrintLikeNm() {
    assertEquals(
        "cublasSgemm_v2@libcublas.so.12",
        new ElfSymbol(
                "cublasSgemm_v2",
                ElfSymbol.Type.FUNC,
                ElfSymbol.Binding.GLOBAL,
                false,
                "libcublas.so.12",
                "libcublas.so.12",
                false)
            .toString());
    assertEquals(
        "printf@@GLIBC_2.2.5",
        new ElfSymbol(
                "printf",
                ElfSymbol.Type.FUNC,
                ElfSymbol.Binding.GLOBAL,
                true,
                "GLIBC_2.2.5",
                null,
                false)
            .toString());
    assertEquals(
        "old@V1",
        new ElfSymbol("old", ElfSymbol.Type.FUNC, ElfSymbol.Binding.GLOBAL, true, "V1", null, true)
            .toString());
  }

  private static byte[] patch(byte[] bytes, int offset, int value) {
    byte[] copy = bytes.clone();
    copy[offset] = (byte) value;
    return copy;
  }

  private static void assertRejected(byte[] bytes, String expectedProblem) {
    ElfFormatException e =
        assertThrows(ElfFormatException.class, () -> ElfSymbols.parse(bytes, "sample.so"));
    assertTrue(e.getMessage().startsWith("sample.so: "), e.getMessage());
    assertTrue(e.getMessage().contains(expectedProblem), e.getMessage());
  }
}
