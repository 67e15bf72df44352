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
 * Where shared libraries are on this host, found the way the dynamic loader finds them (without
 * loading anything): {@code LD_LIBRARY_PATH}, a library's RUNPATH, the loader cache that {@code
 * ldconfig -p} prints, and the default folders; and separately the usual CUDA install folders,
 * which the loader does not search unless configured to.
 */
final class SystemLibraries {
  private static final Pattern CACHE_LINE =
      Pattern.compile("^\\s*(\\S+)\\s+\\(([^)]*)\\)\\s+=>\\s+(\\S.*)$");
  private static final List<String> DEFAULT_FOLDERS =
      List.of(
          "/lib/x86_64-linux-gnu",
          "/usr/lib/x86_64-linux-gnu",
          "/lib64",
          "/usr/lib64",
          "/lib",
          "/usr/lib");

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

  /**
   * The x86-64 entries of {@code ldconfig -p} output; the first entry of a name wins, as in the
   * loader.
   */
  static Map<String, Path> parseLoaderCache(String ldconfigOutput) {
    Map<String, Path> result = new HashMap<>();
    for (String line : ldconfigOutput.split("\n")) {
      Matcher m = CACHE_LINE.matcher(line);
      if (m.matches() && m.group(2).contains("x86-64"))
        result.putIfAbsent(m.group(1), Path.of(m.group(3).trim()));
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
   * The file the dynamic loader would use for {@code soname} when loading a library with this
   * RUNPATH, or empty. Checks LD_LIBRARY_PATH, the RUNPATH folders, the loader cache and the
   * default folders.
   */
  Optional<Path> findForLoader(String soname, List<String> runpath) {
    List<Path> folders = new ArrayList<>(split(env.get("LD_LIBRARY_PATH")));
    for (String dir : runpath) {
      if (!dir.contains("$"))
        folders.add(Path.of(dir)); // $ORIGIN and friends refer to the JNI library's folder
    }
    Optional<Path> found = findIn(folders, soname);
    if (found.isPresent()) return found;
    Path cached = loaderCache.get(soname);
    if (cached != null && Files.exists(cached)) return Optional.of(cached);
    return findIn(DEFAULT_FOLDERS.stream().map(this::system).toList(), soname);
  }

  /**
   * Colon-separated folders searched before all others for the CUDA libraries (e.g. an unusual
   * wheel folder).
   */
  static final String DIRS_ENV = "FEATVIZ_CUDA_LIB_DIRS";

  /**
   * Where NVIDIA's pip wheels put their libraries inside a site-packages folder, searched in this
   * order first.
   */
  static final List<String> WHEEL_FOLDERS =
      List.of(
          "nvidia/cu13/lib",
          "nvidia/cudnn/lib",
          "nvidia/cublas/lib",
          "nvidia/cuda_nvrtc/lib",
          "nvidia/cuda_runtime/lib");

  /**
   * The usual CUDA folders, in order: $FEATVIZ_CUDA_LIB_DIRS, $CUDA_HOME and $CUDA_PATH (lib64 and
   * targets/x86_64-linux/lib), /usr/local/cuda, /usr/local/cuda-13.0 and other /usr/local/cuda-*
   * installs (newest name first), /usr/lib/x86_64-linux-gnu, where the cuDNN packages install, and
   * last the library folders of the CUDA and cuDNN pip wheels that PyTorch installs ({@link
   * #wheelFolders()}).
   */
  List<Path> cudaFolders() {
    LinkedHashSet<Path> folders = new LinkedHashSet<>(split(env.get(DIRS_ENV)));
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
        for (Path install :
            installs
                .filter(p -> p.getFileName().toString().startsWith("cuda-"))
                .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                .toList()) {
          folders.add(install.resolve("lib64"));
          folders.add(install.resolve("targets/x86_64-linux/lib"));
        }
      } catch (IOException e) {
        // an unreadable /usr/local adds nothing
      }
    }
    folders.add(system("/usr/lib/x86_64-linux-gnu"));
    folders.addAll(wheelFolders());
    return List.copyOf(folders);
  }

  /**
   * The existing library folders of NVIDIA's pip wheels ({@code nvidia-cudnn-cu13}, {@code
   * nvidia-cublas}, ...) in every Python environment found: $VIRTUAL_ENV, /opt/{name}/.venv and
   * /opt/{name} (conda and the like), /usr/local and /usr Python folders, ~/.local; in each
   * site-packages (or dist-packages) {@link #WHEEL_FOLDERS}, then any other {@code
   * nvidia/NAME/lib}, then {@code torch/lib}. Only folders that exist are listed.
   */
  List<Path> wheelFolders() {
    List<Path> prefixes = new ArrayList<>();
    String venv = env.get("VIRTUAL_ENV");
    if (venv != null && !venv.isBlank()) prefixes.add(Path.of(venv));
    for (Path opt : children(system("/opt"))) {
      prefixes.add(opt.resolve(".venv"));
      prefixes.add(opt);
    }
    prefixes.add(system("/usr/local"));
    prefixes.add(system("/usr"));
    String home = env.get("HOME");
    if (home != null && !home.isBlank()) prefixes.add(Path.of(home, ".local"));
    LinkedHashSet<Path> folders = new LinkedHashSet<>();
    for (Path prefix : prefixes) {
      List<Path> sitePackages = new ArrayList<>();
      for (Path python : children(prefix.resolve("lib"))) {
        if (!python.getFileName().toString().startsWith("python3")) continue;
        sitePackages.add(python.resolve("site-packages"));
        sitePackages.add(python.resolve("dist-packages"));
      }
      for (Path site : sitePackages) {
        if (!Files.isDirectory(site)) continue;
        for (String wheel : WHEEL_FOLDERS) folders.add(site.resolve(wheel));
        for (Path nvidia : children(site.resolve("nvidia"))) folders.add(nvidia.resolve("lib"));
        folders.add(site.resolve("torch/lib"));
      }
    }
    return folders.stream().filter(Files::isDirectory).toList();
  }

  /**
   * The entries of a folder sorted by name, newest-looking (highest) name first; empty where it is
   * unreadable.
   */
  private static List<Path> children(Path folder) {
    if (!Files.isDirectory(folder)) return List.of();
    try (Stream<Path> entries = Files.list(folder)) {
      return entries
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    } catch (IOException e) {
      return List.of();
    }
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
