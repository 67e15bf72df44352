package org.featviz.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.featviz.Model;
import org.featviz.backend.Backend;
import org.featviz.device.MathMode;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;
import org.featviz.objective.SampleView;
import org.featviz.onnx.TinyModels;
import org.featviz.param.TransformConfig;
import org.featviz.render.RenderOptions;
import org.featviz.render.UnitObjective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep shared over several workers (emulated devices, CPU workers) writes what one worker
 * writes, byte for byte: the same rows in the same order, the same PNGs and contact sheets; a
 * worker that fails mid-chunk loses nothing, and the rerun completes every unit exactly once.
 */
class MultiDeviceSweepTest {
  @TempDir Path tmp;

  /** x[N,1,8,8] -> conv1 (5 filters) -> relu1: 10 units, chunks of 2, one spanning both layers. */
  private Path model() {
    return TinyModels.convRelu(
        tmp.resolve("m.onnx"), 8, TinyModels.uniform(11, 5 * 9), 0.1f, -0.2f, 0.3f, 0f, 0.05f);
  }

  private static final List<String> LAYERS = List.of("conv1", "relu1");

  private static RenderOptions options() {
    return RenderOptions.defaults().withSteps(5).withTransforms(TransformConfig.small());
  }

  private static final UnitObjective CHANNEL =
      (layer, unit, count, seed) -> Objectives.channel(layer, unit);

  private static List<Model> open(Path model, Backend backend, int workers) {
    List<Model> models = new ArrayList<>();
    for (int i = 0; i < workers; i++)
      models.add(Model.builder(model).optBackend(backend).optMath(MathMode.FP32).open());
    return models;
  }

  private static List<UnitResult> sweep(
      Path model,
      Backend backend,
      int workers,
      UnitObjective objective,
      Path out,
      List<int[]> started) {
    List<Model> models = open(model, backend, workers);
    try {
      return Sweep.run(
          models,
          LAYERS,
          new UnitSelection("all"),
          objective,
          "channel",
          2,
          options(),
          1,
          out,
          new StartedListener(started));
    } finally {
      models.forEach(Model::close);
    }
  }

  /** Every file of a sweep's folder (but the lock) by its path there, as bytes. */
  private static Map<String, byte[]> files(Path dir) throws Exception {
    Map<String, byte[]> out = new java.util.TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        if (p.getFileName().toString().equals(SweepLock.FILE)) continue;
        out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  private static void assertSameFolder(Path expected, Path actual) throws Exception {
    Map<String, byte[]> a = files(expected);
    Map<String, byte[]> b = files(actual);
    assertEquals(a.keySet(), b.keySet());
    for (String name : a.keySet()) assertArrayEquals(a.get(name), b.get(name), name);
  }

  @Test
  void twoCpuWorkersWriteWhatOneWrites() throws Exception {
    Path model = model();
    List<int[]> started = new ArrayList<>();
    List<UnitResult> one = sweep(model, Backend.CPU, 1, CHANNEL, tmp.resolve("one"), started);
    List<UnitResult> two = sweep(model, Backend.CPU, 2, CHANNEL, tmp.resolve("two"), started);
    assertEquals(10, one.size());
    assertEquals(one, two, "the same rows in the same order");
    assertSameFolder(tmp.resolve("one"), tmp.resolve("two"));
  }

  @Test
  void threeEmulatedDevicesWriteWhatOneWrites() throws Exception {
    Path model = model();
    List<int[]> started = new ArrayList<>();
    List<UnitResult> one = sweep(model, Backend.EMULATED, 1, CHANNEL, tmp.resolve("one"), started);
    List<UnitResult> three =
        sweep(model, Backend.EMULATED, 3, CHANNEL, tmp.resolve("three"), started);
    assertEquals(10, one.size());
    assertTrue(one.get(0).backend().startsWith("emulated ("), one.get(0).backend());
    assertEquals(one, three);
    assertSameFolder(tmp.resolve("one"), tmp.resolve("three"));
  }

  /**
   * channel(layer, unit) that throws at its third evaluation: a worker failing in the middle of a
   * chunk's optimization.
   */
  private static final class FailsMidChunk implements Objective {
    private final Objective channel;
    private final AtomicInteger calls = new AtomicInteger();

    FailsMidChunk(String layer, int unit) {
      channel = Objectives.channel(layer, unit);
    }

    @Override
    public Set<String> layers() {
      return channel.layers();
    }

    @Override
    public double evaluate(SampleView view) {
      if (calls.incrementAndGet() == 3) throw new ModelException("injected failure");
      return channel.evaluate(view);
    }

    @Override
    public String describe() {
      return channel.describe();
    }

    @Override
    public void validate(Map<String, Shape> sampleShapes) {
      channel.validate(sampleShapes);
    }
  }

  @Test
  void aWorkerFailingMidChunkLosesNothingAndTheRerunDoesEveryUnitOnce() throws Exception {
    Path model = model();
    List<int[]> started = new ArrayList<>();
    Path reference = tmp.resolve("reference");
    List<UnitResult> expected = sweep(model, Backend.CPU, 1, CHANNEL, reference, started);

    Path out = tmp.resolve("out");
    UnitObjective failing =
        (layer, unit, count, seed) ->
            layer.equals("relu1") && unit == 2
                ? new FailsMidChunk(layer, unit)
                : Objectives.channel(layer, unit);
    ModelException e =
        assertThrows(
            ModelException.class, () -> sweep(model, Backend.CPU, 2, failing, out, started));
    assertEquals("injected failure", e.getMessage(), "thrown as the worker threw it");

    List<String> lines = Files.readAllLines(out.resolve(SweepJournal.FILE));
    Set<String> keys = new HashSet<>();
    try (SweepJournal journal = new SweepJournal(out)) {
      for (UnitResult r : journal.results()) {
        assertTrue(keys.add(r.key()), "written once: " + r.key());
        assertTrue(expected.contains(r), "as one worker renders it: " + r);
      }
    }
    assertEquals(lines.size(), keys.size());
    assertTrue(!keys.contains("relu1#1") && !keys.contains("relu1#2"), "the failed chunk: " + keys);

    List<UnitResult> resumed = sweep(model, Backend.CPU, 2, CHANNEL, out, started);
    int[] rerun = started.get(started.size() - 1);
    assertEquals(10, rerun[0]);
    assertEquals(keys.size(), rerun[1], "the rerun takes up what was written");
    assertEquals(expected, resumed);
    assertSameFolder(reference, out);
  }

  @Test
  void workersOfOtherSettingsAreRefused() {
    Path model = model();
    List<Model> models =
        List.of(
            Model.builder(model).optBackend(Backend.CPU).optMath(MathMode.FP32).open(),
            Model.builder(model).optBackend(Backend.CPU).optMean(0.5f).open());
    try {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  Sweep.run(
                      models,
                      LAYERS,
                      new UnitSelection("all"),
                      CHANNEL,
                      "channel",
                      2,
                      options(),
                      1,
                      tmp.resolve("x"),
                      new Sweep.Listener() {}));
      assertTrue(e.getMessage().contains("render one model alike"), e.getMessage());
    } finally {
      models.forEach(Model::close);
    }
  }
}
