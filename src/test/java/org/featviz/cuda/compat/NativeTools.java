package org.featviz.cuda.compat;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.featviz.ThisJvm;
import org.junit.jupiter.api.Assumptions;

/**
 * Test helpers around native code: the JNI libraries from the JCuda native jars on the test class
 * path, the host C compiler, and running programs. Tests that need gcc skip where none is
 * installed, except under CI=true, where a missing compiler is a broken setup and fails.
 */
final class NativeTools {
  static final String JCUBLAS2_NATIVE = "/lib/libJCublas2-12.6.0-linux-x86_64.so";
  static final String JCUDNN_NATIVE = "/lib/libJCudnn-11.7.0-linux-x86_64.so";

  private NativeTools() {}

  /** A JNI library's bytes from the JCuda natives jars. */
  static byte[] resource(String name) throws IOException {
    try (InputStream in = NativeTools.class.getResourceAsStream(name)) {
      assertNotNull(in, name + " is not on the test class path (org.jcuda natives jars)");
      return in.readAllBytes();
    }
  }

  /** Writes a resource into a folder under its own file name. */
  static Path extract(String name, Path folder) throws IOException {
    Path file = folder.resolve(name.substring(name.lastIndexOf('/') + 1));
    Files.write(file, resource(name));
    return file;
  }

  /** The host C compiler; skips the test where none is installed (fails instead under CI=true). */
  static CCompiler compiler() {
    return CCompiler.find()
        .orElseGet(
            () -> {
              skipOrFail("no C compiler (cc or gcc) on the PATH");
              return null;
            });
  }

  static void skipOrFail(String why) {
    if ("true".equals(System.getenv("CI"))) fail(why + ": CI must have it");
    Assumptions.assumeTrue(false, why);
  }

  /** Output and exit status of a finished process. */
  record Result(int exitCode, String output) {}

  /**
   * Runs a command (stdout and stderr merged) with extra environment variables and a time limit.
   */
  static Result run(List<String> command, Map<String, String> environment, Path workDir)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).directory(workDir.toFile());
    builder.environment().remove("LD_LIBRARY_PATH");
    builder.environment().remove("LD_PRELOAD");
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(String.join(" ", command) + " ran longer than 120 s");
    }
    return new Result(process.exitValue(), output);
  }

  /** A forked JVM: the same java and class path, running {@code mainClass} with these arguments. */
  static Result runJava(
      List<String> jvmOptions, Class<?> mainClass, List<String> arguments, Path workDir)
      throws IOException, InterruptedException {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(ThisJvm.java());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass.getName());
    command.addAll(arguments);
    return run(command, Map.of(), workDir);
  }
}
