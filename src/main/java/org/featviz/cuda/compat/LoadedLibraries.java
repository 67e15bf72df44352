package org.featviz.cuda.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which shared libraries this process has actually mapped, read from {@code /proc/self/maps}: the
 * loader's answer to "which libcudnn did we get", with no guessing from search paths. {@code
 * featviz doctor} prints them.
 */
public final class LoadedLibraries {
  /**
   * The CUDA stack's libraries and JCuda's natives (and the forwarders, named like the libraries
   * they stand for).
   */
  public static final Pattern CUDA =
      Pattern.compile("lib(cuda|cudart|cudnn|cublas|nvrtc|nvJitLink|JCu)[^/]*\\.so[^/]*");

  private LoadedLibraries() {}

  /**
   * The mapped files whose name matches {@code name}, in the order of the map; empty where /proc is
   * missing.
   */
  public static List<Path> mapped(Pattern name) {
    return mapped(Path.of("/proc/self/maps"), name);
  }

  static List<Path> mapped(Path maps, Pattern name) {
    List<String> lines;
    try {
      lines = Files.readAllLines(maps);
    } catch (IOException e) {
      return List.of();
    }
    Set<Path> files = new LinkedHashSet<>();
    for (String line : lines) {
      // address perms offset dev inode [path]; the path may contain spaces
      String[] fields = line.trim().split("\\s+", 6);
      if (fields.length < 6 || !fields[5].startsWith("/")) continue;
      Path file = Path.of(fields[5].replace(" (deleted)", ""));
      if (name.matcher(file.getFileName().toString()).matches()) files.add(file);
    }
    return List.copyOf(files);
  }
}
