package org.featviz.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.featviz.BundledModels;
import org.featviz.Model;
import org.featviz.TestData;
import org.featviz.ThisJvm;
import org.featviz.backend.Backend;
import org.featviz.data.Dataset;
import org.featviz.data.FashionMnist;
import org.featviz.eval.Evaluator;
import org.featviz.ir.Graph;
import org.featviz.model.InputNormalization;
import org.featviz.objective.Objectives;
import org.featviz.onnx.OnnxImporter;
import org.featviz.passes.Prepare;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast CPU kernels (OpenBLAS) against the Java reference on whole bundled models: identical
 * predictions on Fashion-MNIST, renders within 1e-5; and the fallback to the Java kernels where
 * OpenBLAS is turned off or its jars are missing.
 */
class FastKernelsModelTest {
  @BeforeEach
  void needsOpenBlas() {
    if ("true".equals(System.getenv("CI"))) assertTrue(Blas.available(), Blas.unavailableReason());
    assumeTrue(Blas.available(), Blas.unavailableReason());
  }

  @AfterEach
  void fastAgain() {
    CpuKernels.useReference(false);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fashion-mlp", "fashion-cnn", "fashion-vgg"})
  void predictionsAreIdenticalToTheReference(String model) throws IOException {
    TestData.require(FashionMnist.DEBIAN_DIR, FashionMnist.DEBIAN_PACKAGE);
    Dataset data = FashionMnist.load(FashionMnist.Split.TEST).slice(0, 500);
    Graph imported = OnnxImporter.read(BundledModels.path(model));
    Graph graph = Prepare.forRun(imported, null, List.of());
    InputNormalization norm = InputNormalization.fromMetadata(imported.metadata(), model);
    int[] fast = Evaluator.run(graph, data, norm, 100, n -> {}).predictions();
    CpuKernels.useReference(true);
    int[] reference = Evaluator.run(graph, data, norm, 100, n -> {}).predictions();
    assertArrayEquals(reference, fast, model + ": predictions, fast against reference kernels");
  }

  @Test
  void rendersAreWithin1e5OfTheReference() throws IOException {
    List<float[]> images = new ArrayList<>();
    for (Backend b : new Backend[] {Backend.CPU_REF, Backend.CPU}) {
      CpuKernels.useReference(false);
      try (Model m = Model.builder(BundledModels.path("fashion-cnn")).optBackend(b).open()) {
        assertEquals(b == Backend.CPU, CpuKernels.fast(), b + " chooses its kernels");
        List<RenderResult> r =
            m.render(
                List.of(
                    m.target(Objectives.channel("relu2", 5)),
                    m.target(Objectives.channel("relu4", 7))),
                RenderOptions.defaults().withSteps(24),
                (done, total) -> {});
        for (RenderResult x : r) images.add(x.image());
      }
    }
    for (int i = 0; i < 2; i++) {
      float[] ref = images.get(i);
      float[] fast = images.get(i + 2);
      double largest = 0;
      double diff = 0;
      for (int p = 0; p < ref.length; p++) {
        assertTrue(Float.isFinite(fast[p]), "pixel " + p);
        largest = Math.max(largest, Math.abs(ref[p]));
        diff = Math.max(diff, Math.abs(ref[p] - fast[p]));
      }
      assertTrue(largest > 0 && diff <= 1e-5 * largest, "image " + i + ": max difference " + diff);
    }
  }

  @Test
  void withoutTheOpenBlasNativesTheJavaKernelsRunAndSaySo(@TempDir Path dir) throws Exception {
    String classPath =
        Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            // The natives jar only, as in the bundle's gpu-carry: the Java side of the preset
            // loads,
            // its libraries do not.
            .filter(
                e -> !Path.of(e).getFileName().toString().matches("openblas-.*-linux-x86_64\\.jar"))
            .collect(Collectors.joining(java.io.File.pathSeparator));
    String out = dir.resolve("out").toString();
    Result r =
        java(
            classPath,
            "render",
            "--model",
            BundledModels.path("fashion-cnn").toString(),
            "--layer",
            "relu2",
            "--units",
            "0",
            "--steps",
            "4",
            "--device",
            "cpu",
            "--out",
            out);
    assertEquals(0, r.code, r.output);
    assertTrue(r.output.contains("OpenBLAS did not load"), r.output);
    assertTrue(r.output.contains("the CPU backend runs its Java kernels"), r.output);
    assertTrue(Files.exists(Path.of(out, "results.json")), r.output);

    Result doctor = java(System.getProperty("java.class.path"), "-Dfeatviz.blas=off", "doctor");
    assertTrue(
        doctor.output.contains("Java only: turned off by -Dfeatviz.blas=off"), doctor.output);
  }

  private record Result(int code, String output) {}

  /** org.featviz.cli.Main in a new JVM on {@code classPath}; a leading -D argument goes to it. */
  private static Result java(String classPath, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ThisJvm.java());
    int first = 0;
    if (args[0].startsWith("-D")) command.add(args[first++]);
    command.addAll(List.of("-cp", classPath, "org.featviz.cli.Main"));
    command.addAll(Arrays.asList(args).subList(first, args.length));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    p.getInputStream().transferTo(bytes);
    int code = p.waitFor();
    return new Result(code, bytes.toString(StandardCharsets.UTF_8));
  }
}
