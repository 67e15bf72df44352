package org.featviz.cuda.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Compiles a {@link ForwardingLibrary} with the host C compiler into a cache folder and reuses that
 * build while its inputs stay the same. The folder is {@code <cache root>/<soname>-<key>/}, where
 * the key digests the generated source, version script and compiler flags; it holds the library
 * under its soname (so a plain {@code LD_LIBRARY_PATH} would find it too), the generated {@code
 * forward.c} and {@code forward.map}, and the compiler's output. A build happens in a private
 * temporary folder that is renamed into place, so processes that build the same library at once
 * never see a half-written one. Every build, new or reused, is read back with {@link ElfSymbols} to
 * check its soname and exports.
 *
 * <p>The cache root is the system property {@code featviz.compat.cacheDir} if set, else {@code
 * $XDG_CACHE_HOME/featviz/compat} or {@code ~/.cache/featviz/compat}, else {@code
 * <java.io.tmpdir>/featviz-compat-<user>} where the home folder is not writable.
 */
public final class ForwardingLibraryBuilder {
  public static final String CACHE_DIR_PROPERTY = "featviz.compat.cacheDir";

  private ForwardingLibraryBuilder() {}

  /**
   * The compiler arguments besides the file names: position-independent, optimized, soname and
   * version script.
   */
  static List<String> compilerFlags(ForwardingLibrary library) {
    return List.of(
        "-shared",
        "-fPIC",
        "-O2",
        "-Wall",
        "-Wl,-soname," + library.soname(),
        "-Wl,--version-script=forward.map",
        "-Wl,-z,defs",
        "-Wl,-z,noexecstack");
  }

  /** The default cache root (see the class comment). */
  public static Path defaultCacheRoot() {
    String property = System.getProperty(CACHE_DIR_PROPERTY);
    if (property != null && !property.isBlank()) return Path.of(property);
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    Path root = base.resolve("featviz").resolve("compat");
    try {
      Files.createDirectories(root.getParent()); // the root itself is created private by build()
      if (Files.isWritable(root.getParent()) && (!Files.exists(root) || Files.isWritable(root)))
        return root;
    } catch (IOException | SecurityException e) {
      // fall through to the temporary folder
    }
    return Path.of(
        System.getProperty("java.io.tmpdir"),
        "featviz-compat-" + System.getProperty("user.name", "user"));
  }

  /**
   * A cache root that is safe to load libraries from: owned by this user and not writable by others
   * (a folder the user's group may write is accepted, as umask 002 makes them). A shared folder
   * such as /tmp could hold a folder of that name planted by someone else; then a fresh private
   * folder is used instead (no reuse across runs, but nothing foreign gets loaded). A missing root
   * is created readable by its owner only.
   */
  static Path privateRoot(Path root) throws IOException {
    if (!Files.exists(root)) {
      Files.createDirectories(root.toAbsolutePath().getParent());
      try {
        Files.createDirectory(
            root,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException raced) {
        // created by another process meanwhile: checked below like any existing folder
      } catch (UnsupportedOperationException notPosix) {
        Files.createDirectories(root);
      }
    }
    String me = System.getProperty("user.name");
    boolean mine = me != null && Files.getOwner(root).getName().equals(me);
    boolean closed = true;
    try {
      closed = !Files.getPosixFilePermissions(root).contains(PosixFilePermission.OTHERS_WRITE);
    } catch (UnsupportedOperationException notPosix) {
      // ownership is all there is to check
    }
    if (mine && closed && Files.isDirectory(root)) return root;
    return Files.createTempDirectory("featviz-compat-");
  }

  /**
   * Builds the library into the cache under {@code cacheRoot}, or reuses the build there; returns
   * the .so path.
   */
  public static Path build(ForwardingLibrary library, Path cacheRoot) throws IOException {
    Path root = privateRoot(cacheRoot);
    Path folder = root.resolve(library.soname() + "-" + library.key());
    Path result = folder.resolve(library.soname());
    if (Files.isRegularFile(result)) {
      try {
        check(library, result);
        return result;
      } catch (IOException broken) {
        deleteTree(folder); // a damaged cache entry: build it again
      }
    }
    Path work = Files.createTempDirectory(root, ".build-" + library.soname() + "-");
    try {
      compile(library, work);
      check(library, work.resolve(library.soname()));
      try {
        Files.move(work, folder, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileSystemException raced) {
        if (!Files.isRegularFile(result))
          throw raced; // not another process finishing the same build first
      }
      check(library, result);
      return result;
    } finally {
      if (Files.exists(work)) deleteTree(work);
    }
  }

  private static void compile(ForwardingLibrary library, Path work) throws IOException {
    CCompiler compiler = CCompiler.require();
    Files.writeString(work.resolve("forward.c"), library.cSource(), StandardCharsets.UTF_8);
    Files.writeString(work.resolve("forward.map"), library.versionScript(), StandardCharsets.UTF_8);
    List<String> arguments = new ArrayList<>(compilerFlags(library));
    arguments.addAll(List.of("-o", library.soname(), "forward.c", "-ldl"));
    String output = compiler.run(arguments, work);
    Files.writeString(
        work.resolve("build.log"),
        compiler.executable() + " " + String.join(" ", arguments) + "\n" + output,
        StandardCharsets.UTF_8);
  }

  /**
   * Reads the built library back: right soname, every function exported under the version node
   * soname.
   */
  static void check(ForwardingLibrary library, Path built) throws IOException {
    ElfSymbols elf = ElfSymbols.read(built);
    if (!elf.soname().equals(Optional.of(library.soname()))) {
      throw new CompatBuildException(
          built + " has soname " + elf.soname().orElse("(none)") + ", not " + library.soname());
    }
    Set<String> exported = new HashSet<>();
    for (ElfSymbol s : elf.defined()) {
      if (s.type() == ElfSymbol.Type.FUNC && library.soname().equals(s.version()) && !s.hidden()) {
        exported.add(s.name());
      }
    }
    for (String name : library.symbols()) {
      if (!exported.contains(name)) {
        throw new CompatBuildException(
            built + " does not export " + name + "@@" + library.soname());
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
