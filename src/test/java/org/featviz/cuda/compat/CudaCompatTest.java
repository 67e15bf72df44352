package org.featviz.cuda.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.featviz.cuda.compat.CompatStep.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CudaCompat's decisions on a fake host (an empty file system root, no loader cache) with a loader
 * that only records what it is asked to load; the forked-JVM test in CudaCompatLoadTest loads for
 * real.
 */
class CudaCompatTest {
  @TempDir Path root;
  @TempDir Path cache;
  @TempDir Path jcudaTemp;
  private final List<Path> loaded = new ArrayList<>();

  private CudaCompat compat(Map<String, String> env, String jcudaVersion, Consumer<Path> loader) {
    return new CudaCompat(
        new SystemLibraries(env, Map.of(), root), cache, jcudaTemp, jcudaVersion, loader);
  }

  private CudaCompat compat() {
    return compat(Map.of(), "12.6.0", loaded::add);
  }

  @Test
  void buildsAndLoadsForwardersWhereCuda12AndCudnn8AreMissing() throws IOException {
    NativeTools.compiler();
    List<CompatStep> steps = compat().run();
    assertEquals(3, steps.size(), steps.toString());
    assertEquals(
        new CompatStep(
            "libcublas.so.12",
            Outcome.DONE,
            "loaded "
                + loaded.get(0)
                + ", libcublas.so.13 not found, so all 494 functions return 15"),
        steps.get(0));
    assertEquals(
        new CompatStep(
            "libcudnn.so.8",
            Outcome.DONE,
            "loaded "
                + loaded.get(1)
                + ", libcudnn.so.9 not found, so all 260 functions return 3000"),
        steps.get(1));
    assertEquals(2, loaded.size());
    assertEquals(Optional.of("libcublas.so.12"), ElfSymbols.read(loaded.get(0)).soname());
    assertEquals(Optional.of("libcudnn.so.8"), ElfSymbols.read(loaded.get(1)).soname());
    assertTrue(loaded.get(0).startsWith(cache), loaded.toString());

    Path offered = jcudaTemp.resolve("libJCudnn-12.6.0-linux-x86_64.so");
    assertEquals(Outcome.DONE, steps.get(2).outcome(), steps.get(2).toString());
    assertArrayEquals(NativeTools.resource(NativeTools.JCUDNN_NATIVE), Files.readAllBytes(offered));
  }

  /**
   * The step names the target and the functions it lacks, read from the target's own symbol table.
   */
  @Test
  void reportsWhereTheTargetIsAndWhatItLacks() throws IOException {
    NativeTools.compiler();
    // A stand-in libcublas.so.13 that exports all but the last four of JCublas2's imports (sorted
    // by name).
    List<String> imports =
        ElfSymbols.parse(NativeTools.resource(NativeTools.JCUBLAS2_NATIVE), "JCublas2")
            .undefinedNames("libcublas.so.12")
            .stream()
            .sorted()
            .toList();
    Path fake =
        ForwardingLibraryBuilder.build(
            ForwardingLibrary.of(
                "libcublas.so.13", imports.subList(0, 490), List.of("libnothing.so.1"), 1),
            cache.resolve("fake"));
    Path cublas13 = root.resolve("usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13");
    Files.createDirectories(cublas13.getParent());
    Files.copy(fake, cublas13);

    CudaCompat compat = compat();
    CompatStep step = compat.provide(compat.shims().get(0));
    assertEquals(
        "loaded "
            + loaded.get(0)
            + ", forwarding 494 functions to "
            + cublas13
            + " (4 missing there return 15: "
            + String.join(", ", imports.subList(490, 494))
            + ")",
        step.detail());
  }

  @Test
  void leavesLibrariesTheLoaderFindsAlone() throws IOException {
    touch("usr/lib/x86_64-linux-gnu/libcudnn.so.8");
    Path cublas12 = touch("elsewhere/libcublas.so.12");
    CudaCompat compat =
        compat(Map.of("LD_LIBRARY_PATH", cublas12.getParent().toString()), "12.6.0", loaded::add);
    List<CompatStep> steps = compat.run();
    assertEquals(
        new CompatStep("libcublas.so.12", Outcome.NOT_NEEDED, "the loader finds " + cublas12),
        steps.get(0));
    assertEquals(Outcome.NOT_NEEDED, steps.get(1).outcome(), steps.get(1).toString());
    assertEquals(List.of(), loaded);
  }

  @Test
  void loadsTheRealLibraryFromACudaFolderTheLoaderDoesNotSearch() throws IOException {
    Path cudnn8 = touch("usr/local/cuda/lib64/libcudnn.so.8");
    CudaCompat compat = compat();
    CompatStep step = compat.provide(compat.shims().get(1));
    assertEquals(
        new CompatStep("libcudnn.so.8", Outcome.DONE, "loaded " + cudnn8 + " by absolute path"),
        step);
    assertEquals(List.of(cudnn8), loaded);
  }

  @Test
  void fallsBackToAForwarderWhenTheRealLibraryDoesNotLoad() throws IOException {
    NativeTools.compiler();
    Path cudnn8 = touch("usr/local/cuda/lib64/libcudnn.so.8");
    CudaCompat compat =
        compat(
            Map.of(),
            "12.6.0",
            path -> {
              if (path.equals(cudnn8))
                throw new UnsatisfiedLinkError(path + ": invalid ELF header");
              loaded.add(path);
            });
    CompatStep step = compat.provide(compat.shims().get(1));
    assertEquals(Outcome.DONE, step.outcome());
    assertTrue(
        step.detail().endsWith("; " + cudnn8 + " did not load: " + cudnn8 + ": invalid ELF header"),
        step.detail());
    assertEquals(Optional.of("libcudnn.so.8"), ElfSymbols.read(loaded.get(0)).soname());
  }

  @Test
  void forwarderTargetsAreTheSonameThenEachCudaFolder() {
    CudaCompat compat = compat(Map.of("CUDA_HOME", "/opt/cuda"), "12.6.0", loaded::add);
    List<String> targets = compat.targets("libcublas.so.13");
    assertEquals("libcublas.so.13", targets.get(0));
    assertEquals("/opt/cuda/lib64/libcublas.so.13", targets.get(1));
    assertTrue(
        targets.contains(root.resolve("usr/local/cuda/lib64/libcublas.so.13").toString()),
        targets.toString());
    assertTrue(
        targets.contains(
            root.resolve("usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13")
                .toString()),
        targets.toString());
    assertEquals(
        root.resolve("usr/lib/x86_64-linux-gnu/libcublas.so.13").toString(),
        targets.get(targets.size() - 1));
  }

  @Test
  void replacesAStaleJcudnnCopyAndKeepsAGoodOne() throws IOException {
    Path offered = jcudaTemp.resolve("libJCudnn-12.6.0-linux-x86_64.so");
    Files.writeString(offered, "left over from another version");
    CompatStep first = compat().offerJcudnnNative();
    assertEquals(Outcome.DONE, first.outcome());
    assertTrue(first.detail().startsWith("copied "), first.detail());
    assertArrayEquals(NativeTools.resource(NativeTools.JCUDNN_NATIVE), Files.readAllBytes(offered));
    CompatStep second = compat().offerJcudnnNative();
    assertEquals(offered + " already holds the 11.7.0 native", second.detail());
    try (var files = Files.list(jcudaTemp)) {
      assertEquals(List.of(offered), files.toList(), "no partial copies left behind");
    }
  }

  @Test
  void needsNoJcudnnCopyWhenTheVersionsMatch() throws IOException {
    CompatStep step = compat(Map.of(), "11.7.0", loaded::add).offerJcudnnNative();
    assertEquals(Outcome.NOT_NEEDED, step.outcome());
  }

  /**
   * A forwarder the process refuses to load (say, a noexec folder) and an unusable temporary
   * folder.
   */
  @Test
  void failuresBecomeStepsNotExceptions() throws IOException {
    NativeTools.compiler();
    Path blockedTemp = Files.writeString(root.resolve("temp-is-a-file"), "x");
    CudaCompat compat =
        new CudaCompat(
            new SystemLibraries(Map.of(), Map.of(), root),
            cache,
            blockedTemp,
            "12.6.0",
            path -> {
              throw new UnsatisfiedLinkError(path + ": failed to map segment from shared object");
            });
    List<CompatStep> steps = compat.run();
    assertEquals(3, steps.size());
    for (CompatStep step : steps) assertTrue(step.failed(), step.toString());
    assertTrue(steps.get(0).detail().startsWith("UnsatisfiedLinkError: "), steps.get(0).toString());
    assertTrue(steps.get(2).detail().contains(blockedTemp.toString()), steps.get(2).toString());
  }

  private Path touch(String relative) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.write(file, new byte[0]);
  }
}
