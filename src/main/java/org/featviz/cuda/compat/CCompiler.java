package org.featviz.cuda.compat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The host C compiler: {@code $CC} if set, else {@code cc}, else {@code gcc}, found on the PATH.
 * Runs it with a time limit and turns a failure into a {@link CompatBuildException} that carries
 * the compiler's output.
 */
final class CCompiler {
  private static final long TIMEOUT_SECONDS = 300;

  private final Path executable;

  private CCompiler(Path executable) {
    this.executable = executable;
  }

  /** The compiler, or empty where none is installed. */
  static Optional<CCompiler> find() {
    List<String> candidates = new ArrayList<>();
    String cc = System.getenv("CC");
    if (cc != null && !cc.isBlank() && !cc.trim().contains(" ")) candidates.add(cc.trim());
    candidates.add("cc");
    candidates.add("gcc");
    for (String candidate : candidates) {
      Optional<Path> found = onPath(candidate);
      if (found.isPresent()) return Optional.of(new CCompiler(found.get()));
    }
    return Optional.empty();
  }

  /** The compiler, or a CompatBuildException saying that none was found. */
  static CCompiler require() throws CompatBuildException {
    return find()
        .orElseThrow(
            () ->
                new CompatBuildException(
                    "no C compiler found ($CC, cc or gcc on the PATH): install gcc to build the CUDA compatibility libraries"));
  }

  Path executable() {
    return executable;
  }

  /**
   * Runs the compiler with these arguments in workDir; returns its output, or throws with it on
   * failure.
   */
  String run(List<String> arguments, Path workDir) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(arguments);
    Process process =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    byte[] output;
    try {
      output = process.getInputStream().readAllBytes();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new CompatBuildException(
            String.join(" ", command) + " ran longer than " + TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CompatBuildException("interrupted while running " + String.join(" ", command));
    }
    String text = new String(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new CompatBuildException(
          String.join(" ", command)
              + " failed (exit "
              + process.exitValue()
              + ") in "
              + workDir
              + ":\n"
              + text);
    }
    return text;
  }

  private static Optional<Path> onPath(String name) {
    if (name.contains("/")) {
      Path path = Path.of(name);
      return Files.isExecutable(path) ? Optional.of(path.toAbsolutePath()) : Optional.empty();
    }
    String pathVariable = System.getenv("PATH");
    if (pathVariable == null) return Optional.empty();
    for (String dir : pathVariable.split(File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
        return Optional.of(candidate);
    }
    return Optional.empty();
  }
}
