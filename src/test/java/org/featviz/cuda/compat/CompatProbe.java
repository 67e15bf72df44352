package org.featviz.cuda.compat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnHandle;

/**
 * Runs in a forked JVM for CudaCompatLoadTest, since a native library once loaded stays in its
 * process. Prints one line per finding; the test reads them. Modes:
 *
 * <ul>
 *   <li>{@code jni-only <folder>}: System.load the JCublas2 JNI library extracted there, with no
 *       forwarder.
 *   <li>{@code forwarder-then-jni <cache> <folder>}: build the libcublas.so.12 forwarder from the
 *       JNI library's imports, System.load it, then System.load the JNI library.
 *   <li>{@code prepare-and-call}: CudaCompat.prepare(), then the first call of JCublas2 and of
 *       JCudnn, loaded by JCuda's own loader (java.io.tmpdir and featviz.compat.cacheDir are set by
 *       the test).
 * </ul>
 */
public final class CompatProbe {
  private CompatProbe() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "jni-only" -> {
        Path jni = NativeTools.extract(NativeTools.JCUBLAS2_NATIVE, Path.of(args[1]));
        loadAndReport(jni);
      }
      case "forwarder-then-jni" -> {
        Path jni = NativeTools.extract(NativeTools.JCUBLAS2_NATIVE, Path.of(args[2]));
        List<String> imports = ElfSymbols.read(jni).undefinedNames("libcublas.so.12");
        ForwardingLibrary forwarder =
            ForwardingLibrary.of(
                "libcublas.so.12",
                imports,
                List.of("libcublas.so.13", "/usr/local/cuda/lib64/libcublas.so.13"),
                15);
        Path built = ForwardingLibraryBuilder.build(forwarder, Path.of(args[1]));
        System.load(built.toAbsolutePath().toString());
        System.out.println("forwarder " + built);
        loadAndReport(jni);
      }
      case "prepare-and-call" -> {
        for (CompatStep step : CudaCompat.prepare()) System.out.println("step " + step);
        System.out.println("cublasCreate " + JCublas2.cublasCreate(new cublasHandle()));
        System.out.println("cudnnCreate " + JCudnn.cudnnCreate(new cudnnHandle()));
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
          files.forEach(f -> System.out.println("tmp " + f.getFileName()));
        }
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  private static void loadAndReport(Path jni) {
    try {
      System.load(jni.toAbsolutePath().toString());
      System.out.println("loaded " + jni.getFileName());
    } catch (UnsatisfiedLinkError e) {
      System.out.println("failed " + e.getMessage());
    }
  }
}
