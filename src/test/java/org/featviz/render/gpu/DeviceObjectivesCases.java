package org.featviz.render.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.featviz.analysis.RepresentativeSubstitution;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.objective.Directions;
import org.featviz.objective.LayerSlice;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;
import org.featviz.objective.PenaltyNorm;
import org.featviz.objective.SampleView;
import org.featviz.objective.Whitening;
import org.featviz.plan.DeviceExecutor;
import org.featviz.plan.DevicePlan;
import org.featviz.render.RenderSteps;
import org.featviz.render.RenderTarget;
import org.featviz.render.Renderer;
import org.junit.jupiter.api.Test;

/**
 * {@link DeviceObjectives} through a real plan of a tiny conv net: after a forward on a random
 * input, the seeds it writes must equal the CPU renderer's objective gradients on the same
 * activations ({@link Renderer#objectiveGradients}), for batches mixing whitened objectives (two
 * whitenings on two layers), layer penalties and plain kinds, with no sample on the host and the
 * expected number of launches; an objective without a fused form still takes the host path beside
 * them.
 */
public abstract class DeviceObjectivesCases extends DeviceCases {
  private static final double TOL = 1e-5;
  private static final List<String> LAYERS = List.of("relu1", "relu2");

  private final Random rng = new Random(77);

  /**
   * What DeviceObjectives decided for a batch: which samples went to the host, and its launches per
   * step.
   */
  private record Plan(boolean[] onHost, int launches, int spaces) {}

  /** A whitening of 4 units from correlated random samples with a nonzero mean. */
  private Whitening whitening() {
    float[][] samples = new float[30][4];
    for (float[] s : samples) {
      double n0 = rng.nextGaussian();
      double n1 = rng.nextGaussian();
      for (int u = 0; u < 4; u++)
        s[u] =
            (float)
                (0.5
                    + u * 0.2
                    + n0 * (u + 1) * 0.3
                    + n1 * (u % 2 == 0 ? 1 : -0.5)
                    + 0.2 * rng.nextGaussian());
    }
    return Whitening.estimate(samples);
  }

  /** A plan for input, run forward on uniform inputs in [-1, 1). */
  private DevicePlan forward(DeviceExecutor exec, Shape input) {
    DevicePlan plan = exec.plan(Map.of("x", input), LAYERS);
    device.copyToDevice(KernelChecks.uniform(rng, input.size(), -1f, 1f), plan.inputBuffer("x"));
    plan.runForward();
    return plan;
  }

  /** The activations of LAYERS copied to the host; their shapes are put in shapes. */
  private Map<String, Tensor> activations(DevicePlan plan, Map<String, Shape> shapes) {
    Map<String, Tensor> acts = new LinkedHashMap<>();
    for (String l : LAYERS) {
      shapes.put(l, plan.shape(l));
      acts.put(
          l,
          Tensor.of(
              plan.shape(l),
              device.copyToHostFloats(plan.activationBuffer(l), plan.shape(l).size())));
    }
    return acts;
  }

  /**
   * Seeds written by DeviceObjectives and by the CPU on the same activations, compared layer by
   * layer.
   */
  private Plan checkSeeds(List<RenderTarget> targets, String what) {
    Graph g = DeviceRendererCases.tinyNet(1, 6, 6, false);
    int batch = targets.size();
    Shape input = Shape.of(batch, 1, 6, 6);
    try (DeviceExecutor exec = new DeviceExecutor(device, g, List.of("x"))) {
      DevicePlan plan = forward(exec, input);
      plan.clearSeeds();
      Map<String, Shape> shapes = new LinkedHashMap<>();
      Map<String, Tensor> acts = activations(plan, shapes);
      Map<String, Tensor> expected =
          RenderSteps.objectiveGradients(targets, acts, Set.copyOf(LAYERS), null);
      try (DeviceObjectives objectives = new DeviceObjectives(device, targets, shapes)) {
        objectives.seed(plan);
        for (String l : LAYERS) {
          float[] seed = device.copyToHostFloats(plan.seedBuffer(l), plan.shape(l).size());
          KernelChecks.assertClose(expected.get(l).data(), seed, TOL, what + ": seed of " + l);
        }
        boolean[] onHost = new boolean[batch];
        for (int b = 0; b < batch; b++) onHost[b] = objectives.onHost(b);
        return new Plan(onHost, objectives.launchCount(), objectives.whitenedSpaceCount());
      }
    }
  }

  @Test
  void whitenedObjectivesAndLayerPenaltiesAreSeededOnTheDevice() {
    Whitening w2 = whitening();
    Whitening w1 = whitening();
    List<RenderTarget> targets =
        List.of(
            new RenderTarget(
                Objectives.whitenedDirection("relu2", w2, Directions.random(4, 1))
                    .plus(Objectives.layerPenalty("relu1", PenaltyNorm.L1, 0.2)),
                "relu2",
                0),
            new RenderTarget(
                Objectives.whitenedCosine("relu2", w2, Directions.random(4, 2))
                    .minus(Objectives.whitenedChannel("relu2", w2, 3).times(0.5)),
                "relu2",
                3),
            new RenderTarget(
                Objectives.whitenedDotCossim("relu1", w1, Directions.random(4, 3), 2, 0.1)
                    .plus(Objectives.layerPenalty("relu1", PenaltyNorm.L2, 0.3))
                    .plus(Objectives.layerPenalty("relu1", PenaltyNorm.L1, 0.1)),
                "relu1",
                1),
            new RenderTarget(Objectives.channel("relu2", 1), "relu2", 1));
    Plan o = checkSeeds(targets, "whitened and penalties");
    for (int b = 0; b < targets.size(); b++)
      assertFalse(o.onHost()[b], "sample " + b + " took the host path");
    // relu2 in w2: direction (weight 1), cosine, direction (the channel, weight -0.5); relu1 in w1:
    // dot x cossim;
    // relu1 penalties: L1 (samples 0 and 2, one launch), L2; the channel.
    assertEquals(7, o.launches(), "objective launches per step");
    assertEquals(2, o.spaces(), "whitened spaces (layer, whitening)");
  }

  @Test
  void oneWhiteningOnTwoLayersIsTwoSpacesAndSamplesOutsideAreLeftAlone() {
    Whitening w = whitening();
    List<RenderTarget> targets =
        List.of(
            new RenderTarget(
                Objectives.whitenedDirection("relu1", w, Directions.random(4, 4)), "relu1", 0),
            new RenderTarget(Objectives.iam("relu2", 2), "relu2", 2),
            new RenderTarget(
                Objectives.whitenedDirection("relu2", w, Directions.random(4, 5)).times(3),
                "relu2",
                1));
    Plan o = checkSeeds(targets, "one whitening, two layers");
    assertEquals(3, o.launches());
    assertEquals(2, o.spaces());
  }

  @Test
  void anObjectiveWithoutAFusedFormStillRunsOnTheHost() {
    Objective custom = new Objective() { // sum of cubes of relu2: no fused form
          @Override
          public Set<String> layers() {
            return Set.of("relu2");
          }

          @Override
          public double evaluate(SampleView view) {
            LayerSlice a = view.activation("relu2");
            LayerSlice g = view.gradient("relu2");
            double sum = 0;
            for (int i = 0; i < a.size(); i++) {
              sum += Math.pow(a.get(i), 3);
              g.add(i, 3 * a.get(i) * a.get(i));
            }
            return sum;
          }

          @Override
          public String describe() {
            return "cubes(relu2)";
          }
        };
    List<RenderTarget> targets =
        List.of(
            new RenderTarget(
                custom.plus(Objectives.layerPenalty("relu1", PenaltyNorm.L2, 0.5)), "relu2", 0),
            new RenderTarget(
                Objectives.whitenedCosine("relu2", whitening(), Directions.random(4, 6))
                    .plus(Objectives.layerPenalty("relu2", PenaltyNorm.L1, 1)),
                "relu2",
                1));
    Plan o = checkSeeds(targets, "host fallback beside the kernels");
    assertTrue(o.onHost()[0], "a custom objective (and its whole sum) is evaluated on the host");
    assertFalse(o.onHost()[1]);
    assertEquals(2, o.launches(), "the whitened cosine and the relu2 penalty");
    assertEquals(1, o.spaces());
  }

  /**
   * RS counted while seeding (the unit kinds' launches) and alone (the rest: a cosine about a unit,
   * a channel of another unit than the target's, and every target on the final images) against the
   * CPU count on the same activations; the seeds of a counting step are the plain step's bit for
   * bit, and a target without a unit has none.
   */
  @Test
  void rsCountedWhileSeedingEqualsTheHostCount() {
    List<RenderTarget> targets =
        List.of(
            new RenderTarget(Objectives.channel("relu2", 0), "relu2", 0),
            new RenderTarget(Objectives.iam("relu2", 2), "relu2", 2),
            new RenderTarget(Objectives.neuron("relu2", 1), "relu2", 1),
            new RenderTarget(Objectives.cosine("relu2", Directions.random(4, 7)), "relu2", 3),
            new RenderTarget(
                Objectives.channel("relu2", 0).plus(Objectives.iam("relu1", 1)), "relu2", 3),
            new RenderTarget(Objectives.iam("relu1", 3).times(0.5), "relu1", 3),
            RenderTarget.of(Objectives.channel("relu1", 2)));
    Graph g = DeviceRendererCases.tinyNet(1, 6, 6, false);
    int batch = targets.size();
    Shape input = Shape.of(batch, 1, 6, 6);
    try (DeviceExecutor exec = new DeviceExecutor(device, g, List.of("x"))) {
      DevicePlan plan = forward(exec, input);
      Map<String, Shape> shapes = new LinkedHashMap<>();
      Map<String, Tensor> acts = activations(plan, shapes);
      RepresentativeSubstitution[] expected = RenderSteps.hostRs(targets, acts);
      try (DeviceObjectives objectives = new DeviceObjectives(device, targets, shapes)) {
        plan.clearSeeds();
        objectives.seed(plan);
        Map<String, float[]> plain = seeds(plan);
        plan.clearSeeds();
        RepresentativeSubstitution[] counted = objectives.seedCountingRs(plan);
        Map<String, float[]> counting = seeds(plan);
        // channel, iam, neuron and the scaled iam on relu1; the cosine and the other unit's
        // channel are counted alone
        assertEquals(4, objectives.rsCountedInLaunches(), "samples counted while seeding");
        for (String l : LAYERS) {
          assertArrayEquals(plain.get(l), counting.get(l), "seed of " + l + " while counting");
        }
        RepresentativeSubstitution[] alone = objectives.countRs(plan);
        for (int b = 0; b < batch - 1; b++) {
          assertEquals(expected[b], counted[b], "RS of sample " + b + " while seeding");
          assertEquals(expected[b], alone[b], "RS of sample " + b + " counted alone");
        }
        assertNull(counted[batch - 1], "a target without a unit");
        assertNull(alone[batch - 1], "a target without a unit");
      }
    }
  }

  private Map<String, float[]> seeds(DevicePlan plan) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String l : LAYERS)
      out.put(l, device.copyToHostFloats(plan.seedBuffer(l), plan.shape(l).size()));
    return out;
  }
}
