package org.featviz.cuda.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where shared libraries are on this host, found the way the dynamic loader finds them (without loading anything):
 * {@code LD_LIBRARY_PATH}, a library's RUNPATH, the loader cache that {@code ldconfig -p} prints, and the default
 * folders; and separately the usual CUDA install folders, which the loader does not search unless configured to.
 */
final class SystemLibraries {
  private static final Pattern CACHE_LINE = Pattern.compile("^\\s*(\\S+)\\s+\\(([^)]*)\\)\\s+=>\\s+(\\S.*)$");
  private static final List<String> DEFAULT_FOLDERS = List.of(
      "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib");

  private final Map<String, String> env;
  private final Map<String, Path> loaderCache;
  private final Path root;

  /**
   * @param env environment variables (LD_LIBRARY_PATH, CUDA_HOME, CUDA_PATH)
   * @param loaderCache soname -> file, as parsed from {@code ldconfig -p}
   * @param root prefix of the fixed system folders: "/" on a real host, a temporary folder in tests
   */
  SystemLibraries(Map<String, String> env, Map<String, Path> loaderCache, Path root) {
    this.env = Map.copyOf(env);
    this.loaderCache = Map.copyOf(loaderCache);
    this.root = root;
  }

  /** This host: its environment and its loader cache. */
  static SystemLibraries current() {
    return new SystemLibraries(System.getenv(), readLoaderCache(), Path.of("/"));
  }

  /** The x86-64 entries of {@code ldconfig -p} output; the first entry of a name wins, as in the loader. */
  static Map<String, Path> parseLoaderCache(String ldconfigOutput) {
    Map<String, Path> result = new HashMap<>();
    for (String line : ldconfigOutput.split("\n")) {
      Matcher m = CACHE_LINE.matcher(line);
      if (m.matches() && m.group(2).contains("x86-64")) result.putIfAbsent(m.group(1), Path.of(m.group(3).trim()));
    }
    return result;
  }

  private static Map<String, Path> readLoaderCache() {
    for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "/usr/bin/ldconfig")) {
      if (!Files.isExecutable(Path.of(ldconfig))) continue;
      try {
        Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) return parseLoaderCache(output);
      } catch (IOException e) {
        // try the next location
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return Map.of();
  }

  /**
   * The file the dynamic loader would use for {@code soname} when loading a library with this RUNPATH, or empty.
   * Checks LD_LIBRARY_PATH, the RUNPATH folders, the loader cache and the default folders.
   */
  Optional<Path> findForLoader(String soname, List<String> runpath) {
    List<Path> folders = new ArrayList<>(split(env.get("LD_LIBRARY_PATH")));
    for (String dir : runpath) {
      if (!dir.contains("$")) folders.add(Path.of(dir));  // $ORIGIN and friends refer to the JNI library's folder
    }
    Optional<Path> found = findIn(folders, soname);
    if (found.isPresent()) return found;
    Path cached = loaderCache.get(soname);
    if (cached != null && Files.exists(cached)) return Optional.of(cached);
    return findIn(DEFAULT_FOLDERS.stream().map(this::system).toList(), soname);
  }

  /**
   * The usual CUDA folders, in order: $CUDA_HOME and $CUDA_PATH (lib64 and targets/x86_64-linux/lib),
   * /usr/local/cuda, /usr/local/cuda-13.0 and other /usr/local/cuda-* installs (newest name first), and
   * /usr/lib/x86_64-linux-gnu, where the cuDNN packages install.
   */
  List<Path> cudaFolders() {
    LinkedHashSet<Path> folders = new LinkedHashSet<>();
    for (String variable : List.of("CUDA_HOME", "CUDA_PATH")) {
      String home = env.get(variable);
      if (home != null && !home.isBlank()) {
        folders.add(Path.of(home, "lib64"));
        folders.add(Path.of(home, "targets", "x86_64-linux", "lib"));
      }
    }
    folders.add(system("/usr/local/cuda/lib64"));
    folders.add(system("/usr/local/cuda/targets/x86_64-linux/lib"));
    folders.add(system("/usr/local/cuda-13.0/targets/x86_64-linux/lib"));
    Path local = system("/usr/local");
    if (Files.isDirectory(local)) {
      try (Stream<Path> installs = Files.list(local)) {
        for (Path install : installs.filter(p -> p.getFileName().toString().startsWith("cuda-"))
            .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList()) {
          folders.add(install.resolve("lib64"));
          folders.add(install.resolve("targets/x86_64-linux/lib"));
        }
      } catch (IOException e) {
        // an unreadable /usr/local adds nothing
      }
    }
    folders.add(system("/usr/lib/x86_64-linux-gnu"));
    return List.copyOf(folders);
  }

  /** The first folder holding a file named {@code soname}. */
  static Optional<Path> findIn(List<Path> folders, String soname) {
    for (Path folder : folders) {
      Path candidate = folder.resolve(soname);
      if (Files.exists(candidate)) return Optional.of(candidate);
    }
    return Optional.empty();
  }

  private Path system(String absolute) {
    return root.resolve(absolute.substring(1));
  }

  private static List<Path> split(String pathList) {
    List<Path> result = new ArrayList<>();
    if (pathList == null) return result;
    for (String dir : pathList.split(":")) {
      if (!dir.isEmpty()) result.add(Path.of(dir));
    }
    return result;
  }
}
