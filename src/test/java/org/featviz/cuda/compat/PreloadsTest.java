package org.featviz.cuda.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search for CUDA libraries in pip wheel folders and the preloading of cuDNN 9's sub-libraries,
 * on fake folder trees: empty files where only names matter, tiny libraries built with the host C
 * compiler where the NEEDED entries and the loading itself matter.
 */
class PreloadsTest {
  @TempDir Path root;

  private Path touch(String relative) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.write(file, new byte[0]);
  }

  private static List<String> names(List<Path> paths) {
    return paths.stream().map(p -> p.getFileName().toString()).toList();
  }

  @Test
  void wheelFoldersOfEveryPythonEnvironmentAreSearchedAfterTheSystemOnes() throws IOException {
    String site = "opt/torch/.venv/lib/python3.12/site-packages/";
    touch(site + "nvidia/cudnn/lib/libcudnn.so.9");
    touch(site + "nvidia/cu13/lib/libcublas.so.13");
    touch(site + "nvidia/nccl/lib/libnccl.so.2");
    touch(site + "torch/lib/libtorch.so");
    touch("usr/local/lib/python3.11/dist-packages/nvidia/cublas/lib/libcublas.so.13");
    Path venv = root.resolve("venv");
    Files.createDirectories(venv.resolve("lib/python3.13/site-packages/nvidia/cudnn/lib"));
    Path extra = Files.createDirectories(root.resolve("my/libs"));
    SystemLibraries libs =
        new SystemLibraries(
            Map.of("VIRTUAL_ENV", venv.toString(), "FEATVIZ_CUDA_LIB_DIRS", extra + ":/nowhere"),
            Map.of(),
            root);
    List<Path> folders = libs.cudaFolders();
    assertEquals(extra, folders.get(0), "the override comes first");
    Path torchSite = root.resolve(site);
    List<Path> wheels = libs.wheelFolders();
    assertEquals(
        List.of(
            venv.resolve("lib/python3.13/site-packages/nvidia/cudnn/lib"),
            torchSite.resolve("nvidia/cu13/lib"),
            torchSite.resolve("nvidia/cudnn/lib"),
            torchSite.resolve("nvidia/nccl/lib"),
            torchSite.resolve("torch/lib"),
            root.resolve("usr/local/lib/python3.11/dist-packages/nvidia/cublas/lib")),
        wheels);
    assertEquals(
        wheels,
        folders.subList(folders.size() - wheels.size(), folders.size()),
        folders.toString());
    assertTrue(
        folders.indexOf(root.resolve("usr/lib/x86_64-linux-gnu")) < folders.indexOf(wheels.get(0)));
    assertEquals(
        Optional.of(torchSite.resolve("nvidia/cudnn/lib/libcudnn.so.9")),
        SystemLibraries.findIn(folders, "libcudnn.so.9"));
  }

  @Test
  void siblingsAreTheTargetsOwnSubLibrariesInCudnnsOrder() throws IOException {
    String lib = "wheel/nvidia/cudnn/lib/";
    for (String name :
        List.of(
            "libcudnn_adv.so.9",
            "libcudnn_cnn.so.9",
            "libcudnn_ops.so.9",
            "libcudnn_graph.so.9",
            "libcudnn_heuristic.so.9",
            "libcudnn_engines_runtime_compiled.so.9",
            "libcudnn_engines_precompiled.so.9",
            "libcudnn_ops.so.8",
            "libcudnnfoo.so.9",
            "libcudnn_ops.so",
            "libcublasLt.so.13")) {
      touch(lib + name);
    }
    Path target = touch(lib + "libcudnn.so.9");
    Preloads.Plan plan = Preloads.plan(target, List.of(), soname -> Optional.empty());
    assertEquals(
        List.of(
            "libcudnn_graph.so.9",
            "libcudnn_engines_precompiled.so.9",
            "libcudnn_engines_runtime_compiled.so.9",
            "libcudnn_heuristic.so.9",
            "libcudnn_ops.so.9",
            "libcudnn_cnn.so.9",
            "libcudnn_adv.so.9"),
        names(plan.libraries()));
    Path cublas = touch("wheel/nvidia/cu13/lib/libcublas.so.13");
    touch("wheel/nvidia/cu13/lib/libcublasLt.so.13");
    assertEquals(
        List.of("libcublasLt.so.13"),
        names(Preloads.plan(cublas, List.of(), s -> Optional.empty()).libraries()));
    assertTrue(
        Preloads.plan(touch("alone/libcudnn.so.9"), List.of(), s -> Optional.empty()).isEmpty());
  }

  /** Fake cuDNN 9 sub-libraries whose NEEDED entries fix an order other than the preferred one. */
  @Test
  void neededEntriesOrderThePreloadsAndPullInLibrariesFromOtherCudaFolders() throws Exception {
    CCompiler cc = NativeTools.compiler();
    Path lib = Files.createDirectories(root.resolve("site/nvidia/cudnn/lib"));
    Path cu13 = Files.createDirectories(root.resolve("site/nvidia/cu13/lib"));
    build(cc, cu13, "libfvnvrtc.so.13", "int fv_nvrtc(void) { return 13; }");
    build(cc, cu13, "libfvgone.so.1", "int fv_gone(void) { return 1; }");
    build(cc, lib, "libcudnn_graph.so.9", "int fv_graph(void) { return 9; }");
    build(
        cc,
        lib,
        "libcudnn_heuristic.so.9",
        "int fv_heuristic(void) { return 1; }",
        "libcudnn_graph.so.9");
    build(
        cc,
        lib,
        "libcudnn_ops.so.9",
        "int fv_ops(void) { return 2; }",
        "libcudnn_heuristic.so.9",
        "libcudnn_graph.so.9");
    build(
        cc,
        lib,
        "libcudnn_engines_runtime_compiled.so.9",
        "int fv_rtc(void) { return 3; }",
        "libcudnn_ops.so.9",
        cu13.resolve("libfvnvrtc.so.13").toString(),
        cu13.resolve("libfvgone.so.1").toString());
    Files.delete(cu13.resolve("libfvgone.so.1")); // needed, but gone: reported, not fatal
    Path target = build(cc, lib, "libcudnn.so.9", "int fv_version(void) { return 91400; }");
    Map<String, Path> loaderCache = new HashMap<>();
    Preloads.Plan plan =
        Preloads.plan(target, List.of(cu13), s -> Optional.ofNullable(loaderCache.get(s)));
    assertEquals(
        List.of(
            "libcudnn_graph.so.9",
            "libcudnn_heuristic.so.9",
            "libcudnn_ops.so.9",
            "libfvnvrtc.so.13",
            "libcudnn_engines_runtime_compiled.so.9"),
        names(plan.libraries()));
    assertEquals(cu13.resolve("libfvnvrtc.so.13"), plan.libraries().get(3));
    assertEquals(List.of("libfvgone.so.1"), plan.unresolved());
    assertTrue(plan.describe().contains("needed but not found: libfvgone.so.1"), plan.describe());

    // A library the loader finds by itself is left to it.
    loaderCache.put("libfvnvrtc.so.13", Path.of("/usr/lib/x86_64-linux-gnu/libfvnvrtc.so.13"));
    assertEquals(
        List.of(
            "libcudnn_graph.so.9",
            "libcudnn_heuristic.so.9",
            "libcudnn_ops.so.9",
            "libcudnn_engines_runtime_compiled.so.9"),
        names(
            Preloads.plan(target, List.of(cu13), s -> Optional.ofNullable(loaderCache.get(s)))
                .libraries()));
  }

  /**
   * The failure this prevents, end to end: a fake libcudnn.so.9 in a folder no loader path names
   * opens its sub-library by soname at its first call, as cuDNN 9 does. Through a forwarder without
   * preloads that call fails; with the planned preloads it reaches the sub-library.
   */
  @Test
  void aForwarderWithPreloadsLetsTheTargetOpenItsSubLibrariesBySoname() throws Exception {
    CCompiler cc = NativeTools.compiler();
    Path lib =
        Files.createDirectories(root.resolve("venv/lib/python3.12/site-packages/nvidia/cudnn/lib"));
    build(cc, lib, "libcudnn_graph.so.9", "int fv_graph_version(void) { return 91400; }");
    build(
        cc,
        lib,
        "libcudnn_ops.so.9",
        "int fv_graph_version(void); int fv_ops(void) { return fv_graph_version(); }",
        "libcudnn_graph.so.9");
    Path target =
        build(
            cc,
            lib,
            "libcudnn.so.9",
            """
        #include <dlfcn.h>
        int fv_version(void) {
          void *ops = dlopen("libcudnn_ops.so.9", RTLD_NOW);   /* by soname, as cuDNN 9 opens its parts */
          if (ops == 0) return -1;
          int (*f)(void) = (int (*)(void)) dlsym(ops, "fv_ops");
          return f == 0 ? -2 : f();
        }
        """);
    SystemLibraries libs =
        new SystemLibraries(Map.of("VIRTUAL_ENV", root.resolve("venv").toString()), Map.of(), root);
    Optional<Path> found = SystemLibraries.findIn(libs.cudaFolders(), "libcudnn.so.9");
    assertEquals(Optional.of(target), found);
    Preloads.Plan plan =
        Preloads.plan(target, libs.cudaFolders(), s -> libs.findForLoader(s, List.of()));
    assertEquals(List.of("libcudnn_graph.so.9", "libcudnn_ops.so.9"), names(plan.libraries()));

    ForwardingLibrary plain =
        ForwardingLibrary.of(
            "libcudnn.so.8",
            List.of("fv_version"),
            List.of("libcudnn.so.9", target.toString()),
            3000);
    assertEquals("-1 ", runProgram(cc, plain, "plain").split("\n")[0] + " ");
    ForwardingLibrary preloading =
        plain.withPreloads(plan.libraries().stream().map(Path::toString).toList());
    String out = runProgram(cc, preloading, "preloading");
    assertEquals("91400", out.split("\n")[0], out);
    assertTrue(
        out.contains(
            "libcudnn.so.8: forwarding to "
                + target
                + ", 1 of 1 functions found, the others return"
                + " 3000; preloaded 2 of 2 libraries"),
        out);
  }

  /**
   * Builds lib{name} in {@code folder} from C source, linked against the given libraries (paths or
   * sonames).
   */
  private static Path build(
      CCompiler cc, Path folder, String soname, String source, String... needed)
      throws IOException {
    Files.writeString(folder.resolve(soname + ".c"), source);
    List<String> args =
        new ArrayList<>(
            List.of(
                "-shared",
                "-fPIC",
                "-Wl,-soname," + soname,
                "-o",
                soname,
                soname + ".c",
                "-L" + folder,
                "-Wl,--no-as-needed")); // keep NEEDED entries whose symbols go unused
    for (String n : needed) args.add(n.startsWith("/") ? n : "-l:" + n);
    args.add("-ldl");
    cc.run(args, folder);
    return folder.resolve(soname);
  }

  /**
   * A program linked against the built forwarder that prints fv_version() and the forwarder's
   * status.
   */
  private String runProgram(CCompiler cc, ForwardingLibrary forwarder, String name)
      throws Exception {
    Path built = ForwardingLibraryBuilder.build(forwarder, root.resolve("cache-" + name));
    Path work = Files.createDirectories(root.resolve("program-" + name));
    Files.writeString(
        work.resolve("main.c"),
        """
        #include <stdio.h>
        int fv_version(void);
        const char *featviz_compat_status(void);
        int main(void) { printf("%d\\n%s\\n", fv_version(), featviz_compat_status()); return 0; }
        """);
    cc.run(
        List.of(
            "-o",
            "main",
            "main.c",
            built.toString(),
            "-Wl,--enable-new-dtags,-rpath," + built.getParent()),
        work);
    NativeTools.Result r =
        NativeTools.run(List.of(work.resolve("main").toString()), Map.of(), work);
    assertEquals(0, r.exitCode(), r.output());
    return r.output();
  }

  @Test
  void loadedLibrariesAreReadFromTheProcessMap() throws IOException {
    Path maps =
        Files.writeString(
            root.resolve("maps"),
            String.join(
                "\n",
                "7f0000000000-7f0000100000 r-xp 00000000 08:01 1234 /opt/torch/.venv/lib/python3.12/site-packages/nvidia/"
                    + "cudnn/lib/libcudnn_graph.so.9",
                "7f0000100000-7f0000200000 r--p 00100000 08:01 1234 /opt/torch/.venv/lib/python3.12/site-packages/nvidia/"
                    + "cudnn/lib/libcudnn_graph.so.9",
                "7f0000300000-7f0000400000 r-xp 00000000 08:01 99 /root/.cache/featviz/compat/libcudnn.so.8-ab/libcudnn.so.8",
                "7f0000500000-7f0000600000 r-xp 00000000 08:01 7 /usr/lib/x86_64-linux-gnu/libc.so.6",
                "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]",
                ""));
    assertEquals(
        List.of(
            Path.of(
                "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn_graph.so.9"),
            Path.of("/root/.cache/featviz/compat/libcudnn.so.8-ab/libcudnn.so.8")),
        LoadedLibraries.mapped(maps, LoadedLibraries.CUDA));
    assertTrue(
        !LoadedLibraries.mapped(java.util.regex.Pattern.compile("libjvm\\.so")).isEmpty(),
        "this JVM's own map names libjvm.so");
  }
}
