package org.featviz.cuda.compat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.featviz.cuda.compat.CompatStep.Outcome;

/**
 * Makes JCuda's prebuilt natives load on hosts with newer CUDA libraries, with no environment
 * variable. Call {@link #prepare()} once before anything touches JCublas2 or JCudnn:
 *
 * <ul>
 *   <li>{@code libJCublas2-12.6.0} needs {@code libcublas.so.12} and {@code libJCudnn-11.7.0} needs
 *       {@code libcudnn.so.8}. Where the dynamic loader would find that library, nothing is done.
 *       Where it sits in a CUDA folder the loader does not search, it is loaded by absolute path.
 *       Otherwise the JNI native's imports (read from the jar resource with {@link ElfSymbols}) go
 *       into a {@link ForwardingLibrary} to {@code libcublas.so.13} / {@code libcudnn.so.9}, built
 *       by {@link ForwardingLibraryBuilder} and loaded with {@code System.load}. A library loaded
 *       so satisfies later NEEDED entries by its soname.
 *   <li>JCuda 12.6's loader looks for {@code libJCudnn-12.6.0-linux-x86_64} (java.library.path,
 *       then the jar resource {@code /lib/libJCudnn-12.6.0-linux-x86_64.so}, extracted to {@code
 *       java.io.tmpdir} unless a file of that name is already there, then {@code System.load} of
 *       that file). Only 11.7.0's native was published with Java classes, so it is copied to {@code
 *       java.io.tmpdir} under the 12.6.0 name, replacing a file of that name with other content,
 *       and JCuda's loader loads it from there. featviz does not {@code System.load} it itself:
 *       loading the same path twice from one class loader is a harmless no-op, but from two class
 *       loaders it is an error, and a second copy under another path would give two libraries with
 *       the same JNI entry points. Where the class path or java.library.path has a real {@code
 *       libJCudnn-12.6.0} native, that one is left to JCuda.
 * </ul>
 *
 * <p>prepare() never throws: every check and fix is a {@link CompatStep}, and failures (no C
 * compiler, an unwritable folder) are steps with outcome FAILED, for the caller to report when a
 * cuBLAS or cuDNN call then fails. Functions missing in the newer library return the not-supported
 * status (cuBLAS 15, cuDNN 9's 3000; see {@link CudnnStatus}).
 */
public final class CudaCompat {
  /** The newest JCudnn on Maven Central; its natives link cuDNN 8. */
  static final String JCUDNN_NATIVE_VERSION = "11.7.0";

  static final int CUBLAS_STATUS_NOT_SUPPORTED = 15;

  /** One old library that a JNI native needs, and the newer one that can stand in for it. */
  record Shim(String jniResource, String soname, String targetSoname, int missingStatus) {}

  private static List<CompatStep> prepared;

  private final SystemLibraries libraries;
  private final Path cacheRoot;
  private final Path jcudaTempDir;
  private final String jcudaVersion;
  private final Consumer<Path> loader;

  CudaCompat(
      SystemLibraries libraries,
      Path cacheRoot,
      Path jcudaTempDir,
      String jcudaVersion,
      Consumer<Path> loader) {
    this.libraries = libraries;
    this.cacheRoot = cacheRoot;
    this.jcudaTempDir = jcudaTempDir;
    this.jcudaVersion = jcudaVersion;
    this.loader = loader;
  }

  /**
   * Checks and fixes what JCublas2 and JCudnn need (see the class comment), once per JVM; later
   * calls return the first call's steps.
   */
  public static synchronized List<CompatStep> prepare() {
    if (prepared == null) {
      if (!isLinuxX86_64()) {
        prepared =
            List.of(
                new CompatStep(
                    "JCuda natives", Outcome.NOT_NEEDED, "only Linux x86-64 needs this"));
      } else {
        prepared =
            new CudaCompat(
                    SystemLibraries.current(),
                    ForwardingLibraryBuilder.defaultCacheRoot(),
                    Path.of(System.getProperty("java.io.tmpdir")),
                    jcuda.JCudaVersion.get(),
                    path -> System.load(path.toAbsolutePath().toString()))
                .run();
      }
    }
    return prepared;
  }

  /**
   * The existing folders searched for CUDA libraries the loader does not find by itself, in order
   * (CUDA installs, then the pip wheels' nvidia/.../lib folders; $FEATVIZ_CUDA_LIB_DIRS first).
   */
  public static List<Path> searchedFolders() {
    return SystemLibraries.current().cudaFolders().stream().filter(Files::isDirectory).toList();
  }

  /**
   * The shims for this JCuda version: cuBLAS 12 -> 13 for JCublas2, cuDNN 8 -> 9 for JCudnn 11.7.0.
   */
  List<Shim> shims() {
    return List.of(
        new Shim(
            "/lib/libJCublas2-" + jcudaVersion + "-linux-x86_64.so",
            "libcublas.so.12",
            "libcublas.so.13",
            CUBLAS_STATUS_NOT_SUPPORTED),
        new Shim(
            "/lib/libJCudnn-" + JCUDNN_NATIVE_VERSION + "-linux-x86_64.so",
            "libcudnn.so.8",
            "libcudnn.so.9",
            CudnnStatus.NOT_SUPPORTED_9));
  }

  List<CompatStep> run() {
    List<CompatStep> steps = new ArrayList<>();
    for (Shim shim : shims()) steps.add(guarded(shim.soname(), () -> provide(shim)));
    steps.add(guarded("libJCudnn-" + jcudaVersion, this::offerJcudnnNative));
    return List.copyOf(steps);
  }

  private interface StepAction {
    CompatStep run() throws IOException;
  }

  private static CompatStep guarded(String subject, StepAction action) {
    try {
      return action.run();
    } catch (IOException | RuntimeException | LinkageError e) {
      return new CompatStep(
          subject, Outcome.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * Makes {@code shim.soname()} loadable: present already, the real one from a CUDA folder, or a
   * forwarder.
   */
  CompatStep provide(Shim shim) throws IOException {
    String subject = shim.soname();
    byte[] jniBytes = resource(shim.jniResource());
    if (jniBytes == null) {
      return new CompatStep(
          subject, Outcome.NOT_NEEDED, shim.jniResource() + " is not on the class path");
    }
    ElfSymbols jni = ElfSymbols.parse(jniBytes, shim.jniResource());
    if (!jni.needed().contains(shim.soname())) {
      return new CompatStep(subject, Outcome.NOT_NEEDED, shim.jniResource() + " does not need it");
    }
    Optional<Path> present = libraries.findForLoader(shim.soname(), jni.runpath());
    if (present.isPresent()) {
      return new CompatStep(subject, Outcome.NOT_NEEDED, "the loader finds " + present.get());
    }
    String note = "";
    Optional<Path> elsewhere = SystemLibraries.findIn(libraries.cudaFolders(), shim.soname());
    if (elsewhere.isPresent()) {
      // Its siblings first (cuDNN 8's libcudnn_ops_infer.so.8 and the like), by System.load:
      // RTLD_LAZY and not
      // global, but a loaded library satisfies later dlopen() and NEEDED lookups of its soname all
      // the same.
      Preloads.Plan plan = preloads(elsewhere.get());
      try {
        for (Path sibling : plan.libraries()) loader.accept(sibling);
        loader.accept(elsewhere.get());
        return new CompatStep(
            subject,
            Outcome.DONE,
            "loaded " + elsewhere.get() + " by absolute path" + plan.describe());
      } catch (UnsatisfiedLinkError e) {
        note = "; " + elsewhere.get() + " did not load: " + e.getMessage();
      }
    }
    List<String> imports = jni.undefinedNames(shim.soname());
    // Where the forwarder's constructor will find the target: through the loader (which then finds
    // its
    // sub-libraries too), or by absolute path in a CUDA folder, where they must be preloaded
    // (Preloads).
    Optional<Path> viaLoader = libraries.findForLoader(shim.targetSoname(), List.of());
    Optional<Path> target =
        viaLoader.or(() -> SystemLibraries.findIn(libraries.cudaFolders(), shim.targetSoname()));
    Preloads.Plan plan =
        viaLoader.isPresent() || target.isEmpty() ? Preloads.Plan.NONE : preloads(target.get());
    ForwardingLibrary forwarder =
        ForwardingLibrary.of(
                shim.soname(), imports, targets(shim.targetSoname()), shim.missingStatus())
            .withPreloads(
                plan.libraries().stream().map(p -> p.toAbsolutePath().toString()).toList());
    Path built = ForwardingLibraryBuilder.build(forwarder, cacheRoot);
    loader.accept(built);
    String forwarding =
        target.isPresent()
            ? "forwarding "
                + imports.size()
                + " functions to "
                + target.get()
                + missingIn(target.get(), imports, shim)
            : shim.targetSoname()
                + " not found, so all "
                + imports.size()
                + " functions return "
                + shim.missingStatus();
    return new CompatStep(
        subject, Outcome.DONE, "loaded " + built + ", " + forwarding + note + plan.describe());
  }

  /** What {@code library}, opened by absolute path, needs loaded first (see {@link Preloads}). */
  private Preloads.Plan preloads(Path library) {
    return Preloads.plan(
        library, libraries.cudaFolders(), soname -> libraries.findForLoader(soname, List.of()));
  }

  /**
   * Which forwarded functions the target lacks, read from its symbol table the way the forwarder's
   * constructor will find them (exported functions at their default version): " (54 missing there
   * return 3000: cudnnRNNForward, ...)". Empty where the target cannot be read.
   */
  private static String missingIn(Path target, List<String> imports, Shim shim) {
    try {
      Set<String> exported = new HashSet<>();
      for (ElfSymbol s : ElfSymbols.read(target).defined()) {
        if (!s.hidden()
            && (s.type() == ElfSymbol.Type.FUNC || s.type() == ElfSymbol.Type.GNU_IFUNC)) {
          exported.add(s.name());
        }
      }
      List<String> missing =
          imports.stream().filter(name -> !exported.contains(name)).sorted().toList();
      if (missing.isEmpty()) return " (it has all of them)";
      String examples = String.join(", ", missing.subList(0, Math.min(5, missing.size())));
      return " ("
          + missing.size()
          + " missing there return "
          + shim.missingStatus()
          + ": "
          + examples
          + (missing.size() > 5 ? ", ..." : "")
          + ")";
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * What the forwarder tries to dlopen, in order: the soname (loader path), then each CUDA folder's
   * copy.
   */
  List<String> targets(String targetSoname) {
    List<String> targets = new ArrayList<>();
    targets.add(targetSoname);
    for (Path folder : libraries.cudaFolders())
      targets.add(folder.resolve(targetSoname).toString());
    return targets;
  }

  /**
   * Puts the JCudnn 11.7.0 native where JCuda's loader looks for libJCudnn-&lt;jcuda version&gt;.
   */
  CompatStep offerJcudnnNative() throws IOException {
    String libraryName = "libJCudnn-" + jcudaVersion + "-linux-x86_64.so";
    String subject = "libJCudnn-" + jcudaVersion;
    if (jcudaVersion.equals(JCUDNN_NATIVE_VERSION)) {
      return new CompatStep(subject, Outcome.NOT_NEEDED, "JCuda and JCudnn versions match");
    }
    if (resourceExists("/lib/" + libraryName)) {
      return new CompatStep(subject, Outcome.NOT_NEEDED, "the class path has /lib/" + libraryName);
    }
    for (String dir :
        System.getProperty("java.library.path", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.exists(Path.of(dir, libraryName))) {
        return new CompatStep(
            subject, Outcome.NOT_NEEDED, "java.library.path has " + Path.of(dir, libraryName));
      }
    }
    String source = "/lib/libJCudnn-" + JCUDNN_NATIVE_VERSION + "-linux-x86_64.so";
    byte[] bytes = resource(source);
    if (bytes == null)
      return new CompatStep(subject, Outcome.NOT_NEEDED, source + " is not on the class path");
    Path destination = jcudaTempDir.resolve(libraryName);
    if (Files.isRegularFile(destination) && Arrays.equals(Files.readAllBytes(destination), bytes)) {
      return new CompatStep(
          subject,
          Outcome.DONE,
          destination + " already holds the " + JCUDNN_NATIVE_VERSION + " native");
    }
    Files.createDirectories(jcudaTempDir);
    Path partial = Files.createTempFile(jcudaTempDir, ".featviz-" + libraryName, ".part");
    try {
      Files.write(partial, bytes);
      Files.move(
          partial,
          destination,
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
    return new CompatStep(
        subject,
        Outcome.DONE,
        "copied " + source + " to " + destination + ", where JCuda's loader finds it");
  }

  /**
   * A class path resource, looked up the way JCuda's LibUtils does (through its class), or null.
   */
  private static byte[] resource(String name) throws IOException {
    try (InputStream in = jcuda.LibUtils.class.getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  private static boolean resourceExists(String name) {
    return jcuda.LibUtils.class.getResource(name) != null;
  }

  static boolean isLinuxX86_64() {
    String os = System.getProperty("os.name", "");
    String arch = System.getProperty("os.arch", "");
    return os.startsWith("Linux") && (arch.equals("amd64") || arch.equals("x86_64"));
  }
}
