package org.featviz.render.gpu;

import static org.featviz.Literals.ints;
import static org.featviz.Literals.longs;
import static org.featviz.cpu.OpTesting.random;
import static org.featviz.ir.TestGraphs.graph;
import static org.featviz.ir.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.BundledModels;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Attributes;
import org.featviz.ir.Graph;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;
import org.featviz.model.InputNormalization;
import org.featviz.objective.BatchObjective;
import org.featviz.objective.Directions;
import org.featviz.objective.ImageRegularizer;
import org.featviz.objective.ImageRegularizers;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;
import org.featviz.objective.PenaltyNorm;
import org.featviz.objective.Whitening;
import org.featviz.onnx.OnnxImporter;
import org.featviz.param.TransformConfig;
import org.featviz.passes.Prepare;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderTarget;
import org.featviz.render.RenderTesting;
import org.featviz.render.Renderer;
import org.junit.jupiter.api.Test;

/**
 * {@link DeviceRenderer} against the CPU {@link Renderer}, the oracle: both draw the same initial
 * parameters and transforms from the same per-target seeds, so their parameters can be compared
 * step by step (through a {@link org.featviz.render.StepProbe}). One step must agree to 1e-4
 * (relative error of each image's parameter update, FP32); a few steps to a looser bound, with the
 * same statuses, a dead unit and a redirected-ReLU unit included. Run on the host emulator in CI
 * (EmuTest$DeviceRenderer) and on a GPU where there is one (DeviceRendererGpuTest, tag gpu).
 */
public abstract class DeviceRendererCases extends DeviceCases {
  private static final double ONE_STEP_TOL = 1e-4;
  private static final double FEW_STEPS_TOL = 2e-3;

  /** Parameters of every image after each step (index 0: the initial ones) and the results. */
  private record Trace(List<float[][]> params, List<RenderResult> results) {}

  /**
   * x[1, C, H, W] -> conv1 (4, 3x3, pad 1) -> relu1 -> conv2 (4, 3x3, pad 1) -> relu2, random
   * weights. With {@code special}: relu2's unit 3 has zero weights and a negative bias (it never
   * fires: DEAD), and unit 2 is negative everywhere on the grey start image but reachable through
   * its ReLU input (redirected ReLU).
   */
  static Graph tinyNet(int channels, int height, int width, boolean special) {
    Random rng = new Random(11);
    Map<String, Tensor> inits = new LinkedHashMap<>();
    inits.put("w1", random(Shape.of(4, channels, 3, 3), rng, -0.6f, 0.6f));
    inits.put("b1", random(Shape.of(4), rng, -0.1f, 0.1f));
    Tensor w2 = random(Shape.of(4, 4, 3, 3), rng, -0.5f, 0.5f);
    Tensor b2 = random(Shape.of(4), rng, -0.1f, 0.1f);
    if (special) {
      for (int i = 3 * 36; i < 4 * 36; i++) w2.data()[i] = 0;
      b2.data()[3] = -1f;
      for (int i = 2 * 36; i < 3 * 36; i++)
        w2.data()[i] = Math.abs(w2.data()[i]); // unit 2 grows with relu1
      b2.data()[2] =
          -40f; // far below zero on grey; the redirect's gradient still flows through conv2
    }
    inits.put("w2", w2);
    inits.put("b2", b2);
    Attributes pads = new Attributes(Map.of("pads", longs(1, 1, 1, 1)));
    List<Node> nodes =
        List.of(
            new Node("conv1", "Conv", List.of("x", "w1", "b1"), List.of("conv1"), pads),
            node("relu1", "Relu", List.of("conv1"), Map.of()),
            new Node("conv2", "Conv", List.of("relu1", "w2", "b2"), List.of("conv2"), pads),
            node("relu2", "Relu", List.of("conv2"), Map.of()));
    Graph g =
        graph(
            "tiny.onnx",
            ValueInfo.of("x", Shape.of(1, channels, height, width)),
            List.of("relu2"),
            nodes,
            inits);
    return Prepare.forRun(g, null, List.of("relu1", "relu2"));
  }

  /**
   * The channel objectives of three units of tinyNet's relu2 with {@code special}: unit 0 (it
   * fires), unit 3 (it never fires: DEAD) and unit 2 (silent on the grey start image: its ReLU is
   * redirected).
   */
  private static List<RenderTarget> liveDeadAndRedirected() {
    return List.of(
        new RenderTarget(Objectives.channel("relu2", 0), "relu2", 0),
        new RenderTarget(Objectives.channel("relu2", 3), "relu2", 3),
        new RenderTarget(Objectives.channel("relu2", 2), "relu2", 2));
  }

  /** The targets, then more. */
  private static List<RenderTarget> plus(List<RenderTarget> targets, RenderTarget... more) {
    List<RenderTarget> all = new ArrayList<>(targets);
    all.addAll(List.of(more));
    return List.copyOf(all);
  }

  private static InputNormalization norm(int channels) {
    return channels == 1
        ? new InputNormalization(new float[] {0.4f}, new float[] {0.3f})
        : new InputNormalization(new float[] {0.45f, 0.5f, 0.4f}, new float[] {0.25f, 0.3f, 0.2f});
  }

  /** One of each kind the kernels fuse, in one batch: every group leaves other samples out. */
  private static List<RenderTarget> mixedTargets(String kind) {
    float[] v = Directions.random(4, 5);
    Objective o =
        switch (kind) {
          case "channel" -> Objectives.channel("relu2", 1);
          case "iam" -> Objectives.iam("relu2", 1);
          case "dot-cossim" -> Objectives.dotCossim("relu2", v, 2, 0.1);
          default -> throw new IllegalArgumentException(kind);
        };
    return List.of(
        new RenderTarget(o, "relu2", 1),
        new RenderTarget(Objectives.channel("relu2", 0), "relu2", 0),
        new RenderTarget(
            Objectives.iam("relu1", 2).plus(Objectives.direction("relu2", v).times(0.5)),
            "relu1",
            2));
  }

  private Trace onCpu(
      Graph g, InputNormalization norm, RenderOptions o, List<RenderTarget> targets) {
    List<float[][]> params = new ArrayList<>();
    List<RenderResult> results =
        new Renderer(g, norm, o).render(targets, s -> {}, (s, p) -> params.add(p));
    return new Trace(params, results);
  }

  private Trace onDevice(
      Graph g, InputNormalization norm, RenderOptions o, List<RenderTarget> targets) {
    List<float[][]> params = new ArrayList<>();
    try (DeviceRenderer r = new DeviceRenderer(device, g, norm, o)) {
      List<RenderResult> results = r.render(targets, s -> {}, (s, p) -> params.add(p));
      return new Trace(params, results);
    }
  }

  /**
   * The relative error of the parameter update, image by image: ||dDevice - dCpu|| / ||dCpu|| (L2
   * norms) with d the change of an image's parameters from the start to step k; returns the worst
   * over the batch. Norm-wise, because Adam's first step is lr g / (|g| + 1e-8): for the few
   * parameters whose gradient is near 1e-8 the update turns into the gradient's own rounding (an
   * element-wise bound would measure those, not the loop). The initial parameters must be
   * identical; an image the CPU does not move must not move on the device either.
   */
  private static double updateError(Trace cpu, Trace dev, int step) {
    double worst = 0;
    for (int b = 0; b < cpu.params().get(0).length; b++)
      worst = Math.max(worst, updateError(cpu, b, dev, b, step));
    return worst;
  }

  /**
   * {@link #updateError(Trace, Trace, int)} of image bx of one trace against image by of another.
   */
  private static double updateError(Trace reference, int bx, Trace other, int by, int step) {
    float[] c0 = reference.params().get(0)[bx];
    float[] d0 = other.params().get(0)[by];
    assertArrayEquals(c0, d0, "initial parameters of image " + by + " (same seed, same draws)");
    float[] c = reference.params().get(step)[bx];
    float[] d = other.params().get(step)[by];
    double norm = 0;
    double diff = 0;
    for (int i = 0; i < c.length; i++) {
      double dc = (double) c[i] - c0[i];
      double dd = (double) d[i] - d0[i];
      if (!Double.isFinite(dd)) return Double.POSITIVE_INFINITY;
      norm += dc * dc;
      diff += (dd - dc) * (dd - dc);
    }
    if (norm == 0) {
      assertEquals(0.0, diff, "image " + by + ": the reference did not move it, the device did");
      return 0;
    }
    return Math.sqrt(diff / norm);
  }

  private static void assertSameStatuses(Trace cpu, Trace dev) {
    for (int b = 0; b < cpu.results().size(); b++) {
      assertEquals(
          cpu.results().get(b).status(), dev.results().get(b).status(), "status of image " + b);
      assertEquals(cpu.results().get(b).seed(), dev.results().get(b).seed(), "seed of image " + b);
    }
  }

  private void checkOneStep(
      Graph g, InputNormalization norm, RenderOptions o, List<RenderTarget> targets, String what) {
    Trace cpu = onCpu(g, norm, o, targets);
    Trace dev = onDevice(g, norm, o, targets);
    double err = updateError(cpu, dev, 1);
    assertTrue(err <= ONE_STEP_TOL, what + ": relative error of the first update " + err);
    assertSameStatuses(cpu, dev);
    for (int b = 0; b < targets.size(); b++) {
      RenderResult c = cpu.results().get(b);
      RenderResult d = dev.results().get(b);
      assertEquals(
          c.objectiveValue(),
          d.objectiveValue(),
          1e-4 * (1 + Math.abs(c.objectiveValue())),
          what + ": objective value of image " + b);
      assertEquals(
          c.activation(),
          d.activation(),
          1e-4 * (1 + Math.abs(c.activation())),
          what + ": activation of image " + b);
    }
  }

  @Test
  void oneStepMatchesTheCpuForPixelParameters() {
    Graph g = tinyNet(1, 12, 12, false);
    RenderOptions o = RenderOptions.defaults().withSteps(1).withParam("pixel");
    for (String kind : List.of("channel", "iam", "dot-cossim")) {
      checkOneStep(g, norm(1), o, mixedTargets(kind), "pixel, " + kind + ", lucid transforms");
    }
    checkOneStep(
        g,
        norm(1),
        o.withTransforms(TransformConfig.none()),
        mixedTargets("channel"),
        "pixel, channel, no transforms");
  }

  @Test
  void oneStepMatchesTheCpuForFftParameters() {
    Graph gray = tinyNet(1, 12, 12, false);
    RenderOptions o = RenderOptions.defaults().withSteps(1);
    for (String kind : List.of("channel", "iam", "dot-cossim")) {
      checkOneStep(gray, norm(1), o, mixedTargets(kind), "fft, " + kind + ", lucid transforms");
    }
    // 3 channels: the decorrelation kernel; odd width: Wf = W / 2 + 1 with no Nyquist column.
    Graph color = tinyNet(3, 10, 9, false);
    checkOneStep(color, norm(3), o, mixedTargets("dot-cossim"), "fft, 3x10x9, dot-cossim");
    checkOneStep(
        color,
        norm(3),
        o.withTransforms(TransformConfig.none()),
        mixedTargets("iam"),
        "fft, 3x10x9, iam, no transforms");
  }

  @Test
  void termsWithoutAKernelMaskedGroupsAndRegularizersMatchTheCpu() {
    // orthogonal penalty for one sample of three (a masked group), a layer penalty, a neuron.
    Graph g = tinyNet(1, 12, 12, false);
    float[] v = Directions.random(4, 9);
    List<RenderTarget> targets =
        List.of(
            new RenderTarget(Objectives.orthogonalPenalty("relu2", v, 0.5), "relu2", 0),
            new RenderTarget(
                Objectives.channel("relu2", 2)
                    .plus(Objectives.layerPenalty("relu1", PenaltyNorm.L2, 0.3)),
                "relu2",
                2),
            new RenderTarget(Objectives.neuron("relu2", 1), "relu2", 1));
    RenderOptions o = RenderOptions.defaults().withSteps(1);
    checkOneStep(g, norm(1), o, targets, "orthogonal, layer penalty, neuron");
    // Image regularizers: the fused kernel, one launch for all three.
    checkOneStep(
        g,
        norm(1),
        o.withRegularizers(
            List.of(
                ImageRegularizers.totalVariation(0.2),
                ImageRegularizers.l1(0.1),
                ImageRegularizers.blur(0.1))),
        targets,
        "with tv, l1 and blur");
  }

  @Test
  void whitenedObjectivesAndLayerPenaltiesRunOnTheDeviceAndMatchTheCpu() {
    // Whitened direction, cosine and dot x cossim (one whitening of relu2, one shared space) and
    // layer penalties,
    // in sums with plain kinds; none of them takes the host path any more.
    Graph g = tinyNet(1, 12, 12, false);
    float[][] samples = new float[24][4];
    Random rng = new Random(5);
    for (float[] s : samples) {
      double common = rng.nextGaussian();
      for (int u = 0; u < 4; u++)
        s[u] = (float) (0.3 + 0.5 * common * (u + 1) / 4 + 0.3 * rng.nextGaussian());
    }
    Whitening w = Whitening.estimate(samples);
    List<RenderTarget> targets =
        List.of(
            new RenderTarget(
                Objectives.whitenedDirection("relu2", w, Directions.random(4, 21))
                    .plus(Objectives.layerPenalty("relu1", PenaltyNorm.L1, 0.2)),
                "relu2",
                0),
            new RenderTarget(
                Objectives.whitenedCosine("relu2", w, Directions.random(4, 22)), "relu2", 1),
            new RenderTarget(
                Objectives.channel("relu2", 2)
                    .plus(
                        Objectives.whitenedDotCossim("relu2", w, Directions.random(4, 23), 2, 0.1)
                            .times(0.5))
                    .plus(Objectives.layerPenalty("relu2", PenaltyNorm.L2, 0.3)),
                "relu2",
                2));
    RenderOptions o = RenderOptions.defaults().withSteps(1);
    checkOneStep(
        g, norm(1), o, targets, "whitened direction, cosine, dot x cossim and layer penalties");
    checkOneStep(
        g,
        norm(1),
        o.withParam("pixel").withTransforms(TransformConfig.none()),
        targets,
        "the same, pixel parameters, no transforms");
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (String layer : List.of("relu1", "relu2"))
      shapes.put(layer, g.shape(layer).withDim(0, targets.size()));
    try (DeviceObjectives objectives = new DeviceObjectives(device, targets, shapes)) {
      for (int b = 0; b < targets.size(); b++)
        assertTrue(!objectives.onHost(b), "target " + b + " on the host");
      // whitened direction, cosine, dot x cossim; L1 on relu1, L2 on relu2; the channel
      assertEquals(6, objectives.launchCount(), "objective launches per step");
      assertEquals(1, objectives.whitenedSpaceCount(), "one whitening on one layer");
    }
  }

  @Test
  void regularizersOnTheDeviceMatchTheCpuOverAFewStepsAndBesideAHostOne() {
    // 3 channels, a DEAD and a redirected unit (samples skipped or masked), over a few steps: each
    // regularizer alone
    // (pixel), all three (FFT with transforms), and one without a fused form (on the host) beside a
    // fused one.
    Graph g = tinyNet(3, 10, 9, true);
    List<RenderTarget> targets =
        plus(liveDeadAndRedirected(), new RenderTarget(Objectives.iam("relu1", 1), "relu1", 1));
    // Weights large enough that each term changes the updates of the nearly grey start images
    // (blur's gradient
    // is proportional to the image's high frequencies, which start at about 1e-3).
    List<ImageRegularizer> fused =
        List.of(
            ImageRegularizers.totalVariation(3),
            ImageRegularizers.l1(5, 0.4),
            ImageRegularizers.blur(3000));
    RenderOptions pixel =
        RenderOptions.defaults()
            .withSteps(3)
            .withParam("pixel")
            .withTransforms(TransformConfig.none());
    for (ImageRegularizer r : fused) {
      checkFewSteps(
          g, norm(3), pixel.withRegularizers(List.of(r)), targets, "pixel, " + r.describe());
      assertMoves(g, norm(3), pixel, pixel.withRegularizers(List.of(r)), targets, r.describe());
    }
    RenderOptions fft =
        pixel
            .withParam("fft")
            .withTransforms(
                TransformConfig.lucidDefaults().withPad(2).withFirstJitter(2).withSecondJitter(1));
    checkFewSteps(
        g, norm(3), fft.withRegularizers(fused), targets, "fft, small transforms, tv + l1 + blur");
    checkFewSteps(
        g,
        norm(3),
        pixel.withRegularizers(List.of(fused.get(0), hostOnly(fused.get(2)))),
        targets,
        "pixel, tv on the device, blur on the host");
  }

  @Test
  void diversityOnTheDeviceMatchesTheCpu() {
    // Twins (same objective: only the batch term tells them apart) and an iam target; diversity at
    // relu1 (a layer
    // no objective reads) and at relu2 (the objectives' layer, whose seeds it adds to, behind
    // ReLUs).
    Graph g = tinyNet(1, 12, 12, false);
    RenderTarget twin = new RenderTarget(Objectives.channel("relu2", 0), "relu2", 0);
    List<RenderTarget> targets =
        List.of(twin, twin, new RenderTarget(Objectives.iam("relu2", 1), "relu2", 1));
    RenderOptions pixel = RenderOptions.defaults().withSteps(1).withParam("pixel");
    RenderOptions fft = RenderOptions.defaults().withSteps(1);
    RenderOptions atRelu1 = pixel.withBatchTerms(List.of(Objectives.diversity("relu1", 50)));
    checkOneStep(g, norm(1), atRelu1, targets, "pixel, diversity(relu1, 50)");
    assertMoves(
        g,
        norm(1),
        pixel.withBatchTerms(List.of(Objectives.diversity("relu1", 0))),
        atRelu1,
        targets,
        "diversity(relu1, 50)");
    RenderOptions atRelu2 = fft.withBatchTerms(List.of(Objectives.diversity("relu2", 2)));
    checkOneStep(g, norm(1), atRelu2, targets, "fft, diversity(relu2, 2)");
    assertMoves(
        g,
        norm(1),
        fft.withBatchTerms(List.of(Objectives.diversity("relu2", 0))),
        atRelu2,
        targets,
        "diversity(relu2, 2)");
    RenderOptions both =
        pixel
            .withSteps(3)
            .withTransforms(TransformConfig.none())
            .withBatchTerms(
                List.of(Objectives.diversity("relu1", 5), Objectives.diversity("relu2", 1)));
    checkFewSteps(g, norm(1), both, targets, "pixel, diversity at relu1 and relu2");
    checkFewSteps(
        g,
        norm(1),
        both.withBatchTerms(List.of(hostOnly(Objectives.diversity("relu1", 50)))),
        targets,
        "pixel, a batch term on the host");
    checkOneStep(
        g,
        norm(1),
        pixel.withBatchTerms(List.of(Objectives.diversity("relu1", 5))),
        targets.subList(0, 1),
        "a batch of one (no diversity)");
    assertMoves(
        g,
        norm(1),
        both.withBatchTerms(List.of(Objectives.diversity("relu1", 0))),
        both,
        targets,
        "diversity");
  }

  /**
   * Three steps on both renderers: the first update within 1e-4, later ones within the few-steps
   * bound.
   */
  private void checkFewSteps(
      Graph g, InputNormalization norm, RenderOptions o, List<RenderTarget> targets, String what) {
    Trace cpu = onCpu(g, norm, o, targets);
    Trace dev = onDevice(g, norm, o, targets);
    assertSameStatuses(cpu, dev);
    for (int step = 1; step <= o.steps(); step++) {
      double err = updateError(cpu, dev, step);
      assertTrue(
          err <= (step == 1 ? ONE_STEP_TOL : FEW_STEPS_TOL),
          what + ", step " + step + ": relative error " + err);
    }
  }

  /** The term under test changes the CPU's images (so agreeing with the CPU means something). */
  private void assertMoves(
      Graph g,
      InputNormalization norm,
      RenderOptions without,
      RenderOptions with,
      List<RenderTarget> targets,
      String what) {
    Trace a = onCpu(g, norm, without, targets);
    Trace b = onCpu(g, norm, with, targets);
    double change = updateError(a, b, with.steps());
    assertTrue(change > 1e-2, what + " changes the CPU's parameter updates by " + change + " only");
  }

  /** The same regularizer without a fused form: the device renderer evaluates it on the host. */
  private static ImageRegularizer hostOnly(ImageRegularizer r) {
    return new ImageRegularizer() {
      @Override
      public double evaluate(float[] image, Shape chw, float[] gradImage) {
        return r.evaluate(image, chw, gradImage);
      }

      @Override
      public String describe() {
        return "host " + r.describe();
      }
    };
  }

  /** The same batch term without a fused form: the device renderer evaluates it on the host. */
  private static BatchObjective hostOnly(BatchObjective t) {
    return new BatchObjective() {
      @Override
      public java.util.Set<String> layers() {
        return t.layers();
      }

      @Override
      public double evaluate(List<org.featviz.objective.SampleView> batch) {
        return t.evaluate(batch);
      }

      @Override
      public String describe() {
        return "host " + t.describe();
      }
    };
  }

  @Test
  void oneStepOnFashionCnnMatchesTheCpu() {
    Graph g = fashionCnnToRelu2();
    InputNormalization norm = fashionCnnNormalization(g);
    List<RenderTarget> targets =
        List.of(
            new RenderTarget(Objectives.channel("relu2", 3), "relu2", 3),
            new RenderTarget(Objectives.iam("relu2", 7), "relu2", 7));
    RenderOptions o = RenderOptions.defaults().withSteps(1);
    checkOneStep(
        g,
        norm,
        o.withTransforms(TransformConfig.none()),
        targets,
        "fashion-cnn relu2, fft, no transforms");
    checkOneStep(
        g,
        norm,
        o.withParam("pixel").withTransforms(TransformConfig.none()),
        targets,
        "fashion-cnn relu2, pixel, no transforms");
    // With transforms the sampling point is float on the device and double on the CPU
    // (docs/kernels.md), which
    // moves activations by ~1e-7: enough to flip a ReLU whose input is 4e-8 on the flat start
    // image. iam(relu2, 7)
    // meets such a unit (its gradient then differs by a few percent, a discontinuity, not a
    // rounding error), so
    // the transformed step is checked on the channel objective, whose gradient does not pass the
    // flipped unit.
    checkOneStep(
        g,
        norm,
        o.withTransforms(
            TransformConfig.lucidDefaults().withPad(2).withFirstJitter(2).withSecondJitter(1)),
        targets.subList(0, 1),
        "fashion-cnn relu2, fft, small lucid transforms");
  }

  @Test
  void aFewStepsAgreeAndDeadAndRedirectedUnitsBehaveAlike() {
    Graph g = tinyNet(1, 12, 12, true);
    List<RenderTarget> targets =
        plus(
            liveDeadAndRedirected(),
            new RenderTarget(Objectives.dotCossim("relu2", Directions.random(4, 3)), "relu2", 1),
            new RenderTarget(
                Objectives.iam("relu2", 2), "relu2", 2), // silent on grey: its unit redirected
            new RenderTarget(
                Objectives.iam("relu2", 3), "relu2", 3)); // moves (other units), never fires
    RenderOptions o =
        RenderOptions.defaults()
            .withSteps(4)
            .withTransforms(
                TransformConfig.lucidDefaults().withPad(2).withFirstJitter(2).withSecondJitter(1));
    Trace cpu = onCpu(g, norm(1), o, targets);
    Trace dev = onDevice(g, norm(1), o, targets);
    assertEquals(
        RenderResult.Status.DEAD, cpu.results().get(1).status(), "the dead unit, on the CPU");
    // Four steps do not get unit 2 (bias -40) to fire: it moved only through the redirect, and a
    // target unit
    // still silent on the final image is reported DEAD however far its image moved.
    assertTrue(
        cpu.results().get(2).activation() == 0,
        "unit 2 is still silent: it moved only through the redirect");
    assertEquals(
        RenderResult.Status.DEAD,
        cpu.results().get(2).status(),
        "the redirected unit, still silent");
    assertEquals(
        RenderResult.Status.DEAD,
        cpu.results().get(5).status(),
        "iam on the unit that never fires");
    assertSameStatuses(cpu, dev);
    for (int step = 1; step <= o.steps(); step++) {
      double err = updateError(cpu, dev, step);
      assertTrue(
          err <= (step == 1 ? ONE_STEP_TOL : FEW_STEPS_TOL),
          "step " + step + ": relative error " + err);
    }
    float[] before = dev.params().get(0)[2];
    float[] after = dev.params().get(o.steps())[2];
    assertTrue(
        !java.util.Arrays.equals(before, after), "the redirected unit's image moved on the device");
    assertArrayEquals(
        dev.params().get(0)[1], dev.params().get(o.steps())[1], "a dead unit's image never moves");
    for (int b : ints(4, 5)) {
      assertTrue(
          !java.util.Arrays.equals(dev.params().get(0)[b], dev.params().get(o.steps())[b]),
          "image " + b + " (iam) moved on the device");
    }
  }

  @Test
  void aDivergedImageIsReportedNanAndNoLongerUpdated() {
    // lr 1e39 is beyond float: the first update makes parameters infinite (or NaN where m = 0),
    // which
    // adam_deactivate_nonfinite finds on the device and the host check on the CPU; neither updates
    // them again.
    Graph g = tinyNet(1, 12, 12, false);
    RenderOptions o =
        RenderOptions.defaults()
            .withSteps(3)
            .withLearningRate(1e39)
            .withTransforms(TransformConfig.none());
    List<RenderTarget> targets =
        List.of(
            new RenderTarget(Objectives.channel("relu2", 0), "relu2", 0),
            new RenderTarget(Objectives.iam("relu2", 1), "relu2", 1));
    Trace cpu = onCpu(g, norm(1), o, targets);
    Trace dev = onDevice(g, norm(1), o, targets);
    assertEquals(
        RenderResult.Status.NAN, cpu.results().get(0).status(), "the CPU's image 0 diverged");
    assertEquals(
        RenderResult.Status.NAN, cpu.results().get(1).status(), "the CPU's image 1 diverged");
    assertSameStatuses(cpu, dev);
    for (int b = 0; b < targets.size(); b++) {
      if (dev.results().get(b).status() != RenderResult.Status.NAN) continue;
      assertArrayEquals(
          dev.params().get(1)[b],
          dev.params().get(o.steps())[b],
          "a NaN image is not updated again");
    }
  }

  /**
   * Whether an image's result is the same, to the last bits, whatever batch it is rendered in: true
   * on the emulator, whose library operations compute every image alone with the CPU reference. The
   * GPU's class says false: cuDNN's cudnnFind and cuBLAS's heuristics may choose another algorithm
   * (another summation order) for another batch size, and NVIDIA documents bitwise reproducibility
   * only for the same call on the same GPU and library version, so there an image in a batch agrees
   * with the image alone to float rounding: the bounds of the CPU comparison.
   */
  protected boolean sameBitsInAnyBatch() {
    return true;
  }

  private static Trace trace(DeviceRenderer r, List<RenderTarget> targets) {
    List<float[][]> params = new ArrayList<>();
    List<RenderResult> results = r.render(targets, s -> {}, (s, p) -> params.add(p));
    return new Trace(params, results);
  }

  /**
   * An image alone and in a batch (strict on the emulator, to float rounding on a GPU: {@link
   * #sameBitsInAnyBatch}), and the same batch twice through the reused plan: bit for bit everywhere
   * (a GPU test runs cuDNN's deterministic algorithms for this, {@code
   * CudaDevice.setDeterministicAlgorithms}).
   */
  @Test
  void resultsDoNotDependOnTheBatchAndRepeatWithTheSeed() {
    Graph g = tinyNet(1, 12, 12, false);
    RenderOptions o = RenderOptions.defaults().withSteps(2);
    RenderTarget a = new RenderTarget(Objectives.channel("relu2", 0), "relu2", 0);
    RenderTarget b = new RenderTarget(Objectives.iam("relu2", 1), "relu2", 1);
    try (DeviceRenderer r = new DeviceRenderer(device, g, InputNormalization.identity(), o)) {
      Trace alone = trace(r, List.of(a));
      Trace inBatch = trace(r, List.of(b, a));
      Trace again = trace(r, List.of(b, a));
      float[] inBatchImage = inBatch.results().get(1).image();
      if (sameBitsInAnyBatch()) {
        assertArrayEquals(alone.results().get(0).image(), inBatchImage, 1e-6f);
      } else {
        for (int step = 1; step <= o.steps(); step++) {
          double err = updateError(alone, 0, inBatch, 1, step);
          assertTrue(
              err <= (step == 1 ? ONE_STEP_TOL : FEW_STEPS_TOL),
              "alone and in a batch, step " + step + ": relative error of the update " + err);
        }
      }
      assertArrayEquals(
          inBatchImage,
          again.results().get(1).image(),
          "the same batch twice, through the reused plan");
      assertArrayEquals(
          inBatch.results().get(0).image(),
          again.results().get(0).image(),
          "the other image, twice");
    }
  }

  @Test
  void iamRevivesAFashionCnnUnitSilentOnTheStartImageAsTheCpuDoes() {
    // relu2 unit 4 is zero everywhere on the start image; iam also seeds the 63 other units, so the
    // whole-sample
    // redirect never applies: before the per-unit one the unit stayed at exactly 0 and was reported
    // OK. Now its own
    // slice of the seed goes to conv2 while it is silent (on the device: render_range_any,
    // render_move_ranges).
    // Without transforms: with them the device's float sampling point flips ReLUs on the flat start
    // image that
    // the CPU's double one does not (oneStepOnFashionCnnMatchesTheCpu), and many steps amplify
    // that.
    Graph g = fashionCnnToRelu2();
    InputNormalization norm = fashionCnnNormalization(g);
    List<RenderTarget> targets = List.of(new RenderTarget(Objectives.iam("relu2", 4), "relu2", 4));
    RenderOptions o = RenderOptions.defaults().withSteps(30).withTransforms(TransformConfig.none());
    assertEquals(
        0.0, RenderTesting.startMax(g, norm, o, targets.get(0)), "relu2 unit 4 on its start image");
    Trace cpu = onCpu(g, norm, o, targets);
    Trace dev = onDevice(g, norm, o, targets);
    RenderResult c = cpu.results().get(0);
    RenderResult d = dev.results().get(0);
    // Measured: 0.0070564 on the CPU, 0.0070570 on the emulator.
    assertTrue(
        c.activation() > 0 && d.activation() > 0,
        "activation after 30 steps: CPU " + c.activation() + ", device " + d.activation());
    assertEquals(RenderResult.Status.OK, d.status(), "revived on the device");
    assertSameStatuses(cpu, dev);
    // The first 10 steps, the unit's seed redirected in each, agree to float rounding (measured on
    // the emulator: 9e-7 at worst against the CPU's per-tap OpenBLAS convolutions, 1.6e-6 against
    // the Java reference kernels). At step 11 one side crosses a threshold first (2e-4, 3e-3 by step
    // 14): the reference kernels and the per-tap path together, the emulator not (it follows the
    // patch-matrix path to step 30). Which side crosses first is rounding, so the outcome is compared.
    for (int step = 1; step <= 10; step++) {
      double err = updateError(cpu, dev, step);
      assertTrue(
          err <= (step == 1 ? ONE_STEP_TOL : FEW_STEPS_TOL),
          "step " + step + ": relative error " + err);
    }
    assertEquals(
        c.activation(),
        d.activation(),
        1e-3 * c.activation(),
        "the device's activation against the CPU's");
  }

  /**
   * RS on fashion-cnn's relu2 under the channel and iam objectives: the device's final counts (its
   * count kernel on its own final images) equal the CPU's count of those images; its trajectory has
   * the CPU's steps, every point a share of the layer in [0, 1), the first (the start image,
   * without transforms) the CPU's count.
   */
  @Test
  void rsOnFashionCnnIsCountedOnTheDeviceAsOnTheCpu() {
    Graph g = fashionCnnToRelu2();
    InputNormalization norm = fashionCnnNormalization(g);
    List<RenderTarget> targets =
        List.of(
            new RenderTarget(Objectives.channel("relu2", 3), "relu2", 3),
            new RenderTarget(Objectives.iam("relu2", 7), "relu2", 7),
            new RenderTarget(Objectives.channel("relu2", 12), "relu2", 12),
            new RenderTarget(Objectives.iam("relu2", 40), "relu2", 40));
    RenderOptions o =
        RenderOptions.defaults()
            .withSteps(20)
            .withRsEvery(8)
            .withTransforms(TransformConfig.none());
    Trace cpu = onCpu(g, norm, o, targets);
    Trace dev = onDevice(g, norm, o, targets);
    assertSameStatuses(cpu, dev);
    int pixels = 28 * 28;
    float[] x = new float[targets.size() * pixels];
    for (int b = 0; b < targets.size(); b++)
      System.arraycopy(dev.results().get(b).image(), 0, x, b * pixels, pixels);
    Tensor in = Tensor.of(Shape.of(targets.size(), 1, 28, 28), x);
    Map<String, Tensor> acts =
        new org.featviz.cpu.CpuExecutor(g)
            .forward(Map.of(g.input().name(), norm.apply(in)), List.of("relu2"))
            .values();
    var onHost = org.featviz.render.RenderSteps.hostRs(targets, acts);
    for (int b = 0; b < targets.size(); b++) {
      RenderResult c = cpu.results().get(b);
      RenderResult d = dev.results().get(b);
      String what = targets.get(b).label();
      assertEquals(onHost[b], d.rs(), what + ": the device's final RS, counted on the CPU");
      assertEquals(c.rsTrajectory().size(), d.rsTrajectory().size(), what + ": trajectory");
      assertEquals(3, d.rsTrajectory().size(), what + ": steps 0, 8 and 16");
      for (int k = 0; k < 3; k++) {
        RenderResult.RsPoint p = d.rsTrajectory().get(k);
        assertEquals(8 * k, p.step(), what);
        assertEquals(c.rsTrajectory().get(k).step(), p.step(), what);
        assertTrue(p.counts().value() >= 0 && p.counts().value() < 1, what + ": " + p);
      }
      assertEquals(
          c.rsTrajectory().get(0).counts(),
          d.rsTrajectory().get(0).counts(),
          what + ": RS of the start image");
      // The images differ by float rounding, so a unit whose mean is that close to the target's
      // may change sides; measured on the emulator: the CPU's counts at every point.
      for (int k = 1; k < 3; k++) {
        int cpuAbove = c.rsTrajectory().get(k).counts().above();
        int devAbove = d.rsTrajectory().get(k).counts().above();
        assertTrue(Math.abs(cpuAbove - devAbove) <= 1, what + ": step " + 8 * k);
      }
      assertTrue(Math.abs(c.rs().above() - d.rs().above()) <= 1, what + ": final RS");
    }
  }

  /** The bundled fashion-cnn prepared for a run up to relu2. */
  private static Graph fashionCnnToRelu2() {
    return Prepare.forRun(
        OnnxImporter.read(BundledModels.path("fashion-cnn")), null, List.of("relu2"));
  }

  /** fashion-cnn's input normalization, from its metadata. */
  private static InputNormalization fashionCnnNormalization(Graph g) {
    return InputNormalization.fromMetadata(g.metadata(), "fashion-cnn");
  }
}
