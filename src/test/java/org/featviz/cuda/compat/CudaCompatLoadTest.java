package org.featviz.cuda.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading for real, in forked JVMs (the same java and class path) so that nothing stays loaded in
 * the test JVM: on a host without CUDA 12 libraries the JCublas2 JNI library does not load by
 * itself, loads once the forwarder is loaded (its target missing, dlopen fails quietly), and after
 * CudaCompat.prepare() JCuda's own loader brings up JCublas2 and JCudnn, whose first calls return
 * the not-supported status.
 */
class CudaCompatLoadTest {
  @TempDir Path dir;

  private static boolean hostHas(String soname) {
    return SystemLibraries.current().findForLoader(soname, List.of()).isPresent();
  }

  @Test
  void jniLibraryAloneFailsForWantOfLibcublasSo12() throws Exception {
    Assumptions.assumeFalse(hostHas("libcublas.so.12"), "this host has CUDA 12's cuBLAS");
    Assumptions.assumeTrue(CudaCompat.isLinuxX86_64());
    String out = probe(List.of(), "jni-only", dir.toString());
    assertTrue(out.contains("failed ") && out.contains("libcublas.so.12"), out);
  }

  @Test
  void forwarderMakesTheJniLibraryLoad() throws Exception {
    NativeTools.compiler();
    String out =
        probe(List.of(), "forwarder-then-jni", dir.resolve("cache").toString(), dir.toString());
    assertTrue(out.contains("loaded libJCublas2-12.6.0-linux-x86_64.so"), out);
  }

  @Test
  void afterPrepareJcublas2AndJcudnnLoadAndAnswer() throws Exception {
    NativeTools.compiler();
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    String out =
        probe(
            List.of("-Djava.io.tmpdir=" + tmp, "-Dfeatviz.compat.cacheDir=" + dir.resolve("cache")),
            "prepare-and-call");
    assertTrue(!out.contains(": failed ("), out);
    assertTrue(
        out.contains("tmp libJCudnn-12.6.0-linux-x86_64.so"), out); // where JCuda's loader found it
    assertTrue(
        out.contains("tmp libJCublas2-12.6.0-linux-x86_64.so"), out); // extracted by JCuda's loader
    // Where the new libraries are missing, the forwarders answer with the not-supported status.
    if (!hostHas("libcublas.so.12") && !hostHas("libcublas.so.13")) {
      assertTrue(out.contains("step libcublas.so.12: done"), out);
      assertTrue(out.contains("\ncublasCreate 15\n"), out);
    }
    if (!hostHas("libcudnn.so.8") && !hostHas("libcudnn.so.9")) {
      assertTrue(out.contains("step libcudnn.so.8: done"), out);
      assertTrue(out.contains("\ncudnnCreate 3000\n"), out);
    }
  }

  private String probe(List<String> jvmOptions, String... args)
      throws IOException, InterruptedException {
    NativeTools.Result result =
        NativeTools.runJava(jvmOptions, CompatProbe.class, List.of(args), dir);
    assertEquals(0, result.exitCode(), result.output());
    return result.output();
  }
}
