package org.featviz.render.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.function.IntFunction;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Shape;
import org.featviz.objective.Objective;
import org.featviz.objective.Objectives;
import org.featviz.objective.PenaltyNorm;
import org.featviz.render.BatchSampleView;
import org.junit.jupiter.api.Test;

/**
 * The objective kernels of cuda/objective.cu against the CPU objectives of
 * org.featviz.objective.Objectives, on fresh random activations and per-sample targets, for a
 * conv-shaped layer [B, C, 7, 7] and a dense one [B, C]: each sample's value and the gradient, both
 * ADDED onto random initial contents (as the kernels add), with weights 1 and others (the CPU twin
 * then being Objectives.scaled). Relative error with the tensor's scale as floor; NaN never passes.
 */
public abstract class ObjectiveKernelCases extends DeviceCases {
  private static final String LAYER = "target";
  private static final Shape CONV = Shape.of(3, 6, 7, 7);
  private static final Shape DENSE = Shape.of(4, 8);
  private static final Shape[] SHAPES = {CONV, DENSE};
  private static final double TOL = 1e-5;

  private final Random rng = new Random(2026);

  /**
   * Launches one kernel on the device's acts, grad and value buffers (creating its own target
   * buffers).
   */
  private interface Launch {
    void run(TargetLayer layer, DeviceBuffer acts, DeviceBuffer grad, DeviceBuffer value);
  }

  /**
   * Runs the kernel and the CPU objective of every sample (scaled by weight) on the same
   * activations and the same random initial gradient and values; compares values and gradients.
   */
  private void compare(
      Shape layerShape,
      float[] acts,
      IntFunction<Objective> cpu,
      float weight,
      Launch launch,
      String what) {
    int batch = layerShape.dim(0);
    float[] grad0 = KernelChecks.uniform(rng, acts.length, -1f, 1f);
    float[] value0 = KernelChecks.uniform(rng, batch, -1f, 1f);
    float[] expectedGrad = grad0.clone();
    float[] expectedValue = value0.clone();
    for (int b = 0; b < batch; b++) {
      Objective o = weight == 1f ? cpu.apply(b) : cpu.apply(b).times(weight);
      expectedValue[b] =
          (float)
              (value0[b] + o.evaluate(KernelChecks.sampleView(acts, expectedGrad, layerShape, b)));
    }
    try (DeviceBuffer a = device.toDevice(acts);
        DeviceBuffer g = device.toDevice(grad0);
        DeviceBuffer v = device.toDevice(value0)) {
      launch.run(TargetLayer.of(layerShape), a, g, v);
      String where = what + " on " + layerShape + ", weight " + weight;
      KernelChecks.assertClose(
          expectedValue, device.copyToHostFloats(v, batch), TOL, where + ": values");
      KernelChecks.assertClose(
          expectedGrad, device.copyToHostFloats(g, acts.length), TOL, where + ": gradient");
    }
  }

  private float[] activations(Shape layerShape) {
    return KernelChecks.uniform(rng, layerShape.size(), -1f, 1f);
  }

  private int[] randomUnits(int batch, int units) {
    int[] u = new int[batch];
    for (int b = 0; b < batch; b++) u[b] = rng.nextInt(units);
    return u;
  }

  /** Per-sample directions [B, C]: uniform values (not unit vectors, so |v| matters). */
  private float[] directions(int batch, int units) {
    return KernelChecks.uniform(rng, batch * units, -1f, 1f);
  }

  private static float[] row(float[] v, int b, int length) {
    return KernelChecks.slice(v, b * length, length);
  }

  // ---- Unit objectives
  // --------------------------------------------------------------------------------------

  @Test
  void channelMatchesCpu() {
    for (Shape s : SHAPES) {
      for (float weight : new float[] {1f, -0.75f}) {
        int[] units = randomUnits(s.dim(0), s.dim(1));
        compare(
            s,
            activations(s),
            b -> Objectives.channel(LAYER, units[b]),
            weight,
            (layer, a, g, v) -> {
              try (DeviceBuffer u = device.toDevice(units)) {
                ObjectiveKernels.channel(device, layer, a, u, g, v, weight);
              }
            },
            "channel");
      }
    }
  }

  @Test
  void neuronAtGivenPositionsMatchesCpu() {
    int batch = CONV.dim(0);
    int height = CONV.dim(2);
    int width = CONV.dim(3);
    int[] units = randomUnits(batch, CONV.dim(1));
    int[] xs = {0, width - 1, 3};
    int[] ys = {height - 1, 0, 2};
    int[] positions = new int[batch];
    for (int b = 0; b < batch; b++) positions[b] = ObjectiveKernels.position(xs[b], ys[b], width);
    compare(
        CONV,
        activations(CONV),
        b -> Objectives.neuron(LAYER, units[b], xs[b], ys[b]),
        2f,
        (layer, a, g, v) -> {
          try (DeviceBuffer u = device.toDevice(units);
              DeviceBuffer p = device.toDevice(positions)) {
            ObjectiveKernels.neuron(device, layer, a, u, p, g, v, 2f);
          }
        },
        "neuron(x, y)");
  }

  @Test
  void neuronAtTheDefaultPositionMatchesCpu() {
    for (Shape s : SHAPES) {
      int[] units = randomUnits(s.dim(0), s.dim(1));
      int[] positions = new int[s.dim(0)];
      Arrays.fill(positions, ObjectiveKernels.centerPosition(BatchSampleView.sampleShape(s)));
      compare(
          s,
          activations(s),
          b -> Objectives.neuron(LAYER, units[b]),
          1f,
          (layer, a, g, v) -> {
            try (DeviceBuffer u = device.toDevice(units);
                DeviceBuffer p = device.toDevice(positions)) {
              ObjectiveKernels.neuron(device, layer, a, u, p, g, v, 1f);
            }
          },
          "neuron(center)");
    }
  }

  @Test
  void iamMatchesCpu() {
    for (Shape s : SHAPES) {
      for (float weight : new float[] {1f, 0.5f}) {
        int[] units = randomUnits(s.dim(0), s.dim(1));
        compare(
            s,
            activations(s),
            b -> Objectives.iam(LAYER, units[b]),
            weight,
            (layer, a, g, v) -> {
              try (DeviceBuffer u = device.toDevice(units)) {
                ObjectiveKernels.iam(device, layer, a, u, g, v, weight);
              }
            },
            "iam");
      }
    }
  }

  @Test
  void iamKeepsPrecisionWhenTheTargetUnitDominates() {
    Shape s = Shape.of(2, 5, 4, 4);
    float[] acts = activations(s);
    int[] units = {3, 0};
    for (int b = 0; b < 2; b++) {
      for (int p = 0; p < 16; p++) acts[(b * 5 + units[b]) * 16 + p] += 1000f;
    }
    compare(
        s,
        acts,
        b -> Objectives.iam(LAYER, units[b]),
        1f,
        (layer, a, g, v) -> {
          try (DeviceBuffer u = device.toDevice(units)) {
            ObjectiveKernels.iam(device, layer, a, u, g, v, 1f);
          }
        },
        "iam with a dominant unit");
  }

  // ---- Per-position objectives
  // ------------------------------------------------------------------------------

  @Test
  void directionMatchesCpu() {
    for (Shape s : SHAPES) {
      for (float weight : new float[] {1f, -0.3f}) {
        float[] dirs = directions(s.dim(0), s.dim(1));
        compare(
            s,
            activations(s),
            b -> Objectives.direction(LAYER, row(dirs, b, s.dim(1))),
            weight,
            (layer, a, g, v) -> {
              try (DeviceBuffer d = device.toDevice(dirs)) {
                ObjectiveKernels.direction(device, layer, a, d, g, v, weight);
              }
            },
            "direction");
      }
    }
  }

  @Test
  void cosineMatchesCpu() {
    for (Shape s : SHAPES) {
      for (float weight : new float[] {1f, 3f}) {
        float[] dirs = directions(s.dim(0), s.dim(1));
        compare(
            s,
            activations(s),
            b -> Objectives.cosine(LAYER, row(dirs, b, s.dim(1))),
            weight,
            (layer, a, g, v) -> {
              try (DeviceBuffer d = device.toDevice(dirs)) {
                ObjectiveKernels.cosine(device, layer, a, d, g, v, weight);
              }
            },
            "cosine");
      }
    }
  }

  @Test
  void dotCossimMatchesCpuWithAndWithoutTheFloorActive() {
    float[][] powerAndFloor = {
      {1f, 0.1f}, {2f, 0.1f}, {0f, 0.1f}, {2.5f, 0.3f}, {1f, 0f}, {3f, 0.05f}
    };
    for (Shape s : SHAPES) {
      for (float[] nf : powerAndFloor) {
        float[] acts = activations(s);
        float[] dirs = directions(s.dim(0), s.dim(1));
        int[] sides = floorSides(s, acts, dirs, nf[1]);
        assertTrue(
            sides[0] > 0 && sides[1] > 0,
            "the inputs must put positions on both sides of the floor: "
                + sides[0]
                + " below, "
                + sides[1]
                + " above");
        compare(
            s,
            acts,
            b -> Objectives.dotCossim(LAYER, row(dirs, b, s.dim(1)), nf[0], nf[1]),
            1f,
            (layer, a, g, v) -> {
              try (DeviceBuffer d = device.toDevice(dirs)) {
                ObjectiveKernels.dotCossim(device, layer, a, d, g, v, 1f, nf[0], nf[1]);
              }
            },
            "dotCossim(n=" + nf[0] + ", floor=" + nf[1] + ")");
      }
    }
  }

  /**
   * How many positions have a cosine at or below the floor, and how many above (float64, unguarded
   * norms).
   */
  private static int[] floorSides(Shape s, float[] acts, float[] dirs, double floor) {
    int batch = s.dim(0);
    int units = s.dim(1);
    int positions = s.size() / (batch * units);
    int[] sides = new int[2];
    for (int b = 0; b < batch; b++) {
      for (int p = 0; p < positions; p++) {
        double d = 0;
        double aa = 0;
        double vv = 0;
        for (int c = 0; c < units; c++) {
          double a = acts[(b * units + c) * positions + p];
          double v = dirs[b * units + c];
          d += a * v;
          aa += a * a;
          vv += v * v;
        }
        sides[d / Math.sqrt(aa * vv) > floor ? 1 : 0]++;
      }
    }
    return sides;
  }

  @Test
  void dotCossimFloorExampleFromTheDocs() {
    // a = (-1, 0), v = (1, 0), n = 1, floor = 0.1: f = -0.1, gradient (0.1, 0)
    // (docs/objectives.md).
    try (DeviceBuffer a = device.toDevice(new float[] {-1f, 0f});
        DeviceBuffer d = device.toDevice(new float[] {1f, 0f});
        DeviceBuffer g = device.toDevice(new float[2]);
        DeviceBuffer v = device.toDevice(new float[1])) {
      ObjectiveKernels.dotCossim(device, new TargetLayer(1, 2, 1), a, d, g, v, 1f, 1f, 0.1f);
      assertEquals(-0.1f, device.copyToHostFloats(v, 1)[0], 1e-7f);
      assertArrayEquals(new float[] {0.1f, 0f}, device.copyToHostFloats(g, 2), 1e-7f);
    }
  }

  @Test
  void orthogonalPenaltyMatchesCpu() {
    for (Shape s : SHAPES) {
      for (float lambda : new float[] {0.5f, 2f}) {
        float[] dirs = directions(s.dim(0), s.dim(1));
        compare(
            s,
            activations(s),
            b -> Objectives.orthogonalPenalty(LAYER, row(dirs, b, s.dim(1)), lambda),
            1f,
            (layer, a, g, v) -> {
              try (DeviceBuffer d = device.toDevice(dirs)) {
                ObjectiveKernels.orthogonalPenalty(device, layer, a, d, g, v, 1f, lambda);
              }
            },
            "orthogonalPenalty(lambda=" + lambda + ")");
      }
    }
  }

  @Test
  void perPositionKernelsCoverManyChannelsAndPositionTiles() {
    // Dense: 300 units over 256 channel threads; conv: 20 channels over 8 channel threads, 81
    // positions in 3 tiles.
    for (Shape s : new Shape[] {Shape.of(1, 300), Shape.of(2, 20, 9, 9)}) {
      float[] dirs = directions(s.dim(0), s.dim(1));
      compare(
          s,
          activations(s),
          b -> Objectives.dotCossim(LAYER, row(dirs, b, s.dim(1)), 2, 0.1),
          1f,
          (layer, a, g, v) -> {
            try (DeviceBuffer d = device.toDevice(dirs)) {
              ObjectiveKernels.dotCossim(device, layer, a, d, g, v, 1f, 2f, 0.1f);
            }
          },
          "dotCossim, large");
    }
  }

  // ---- Whole-slice objective
  // --------------------------------------------------------------------------------

  @Test
  void l2InversionMatchesCpu() {
    for (Shape s : SHAPES) {
      int n = s.size() / s.dim(0);
      float[] targets = KernelChecks.uniform(rng, s.size(), -1f, 1f);
      compare(
          s,
          activations(s),
          b -> Objectives.l2Inversion(LAYER, row(targets, b, n)),
          0.25f,
          (layer, a, g, v) -> {
            try (DeviceBuffer t = device.toDevice(targets)) {
              ObjectiveKernels.l2Inversion(device, layer, a, t, g, v, 0.25f);
            }
          },
          "l2Inversion");
    }
  }

  @Test
  void layerPenaltyMatchesCpuWithPerSampleWeights() {
    for (Shape s : SHAPES) {
      int batch = s.dim(0);
      int n = s.size() / batch;
      for (PenaltyNorm norm : PenaltyNorm.values()) {
        float[] acts = activations(s);
        for (int i = 0; i < acts.length; i += 7) acts[i] = 0f; // sign(0) = 0 for L1
        double[] penalty = new double[batch];
        for (int b = 0; b < batch; b++) penalty[b] = 0.1 + 2 * rng.nextDouble();
        penalty[1] =
            0; // weight 0: the sample is left out (the CPU twin adds exactly nothing either)
        float scale = -0.75f;
        float[] weights = new float[batch];
        for (int b = 0; b < batch; b++) weights[b] = (float) (scale * -penalty[b] / n);
        compare(
            s,
            acts,
            b -> Objectives.layerPenalty(LAYER, norm, penalty[b]),
            scale,
            (layer, a, g, v) -> {
              try (DeviceBuffer w = device.toDevice(weights)) {
                ObjectiveKernels.layerPenalty(device, layer, a, w, g, v, norm);
              }
            },
            "layerPenalty(" + norm + ")");
      }
    }
  }

  // ---- Composition and bad targets
  // --------------------------------------------------------------------------

  @Test
  void objectivesSharingALayerAddUp() {
    Shape s = CONV;
    int[] units = randomUnits(s.dim(0), s.dim(1));
    float[] dirs = directions(s.dim(0), s.dim(1));
    compare(
        s,
        activations(s),
        b ->
            Objectives.channel(LAYER, units[b])
                .plus(Objectives.cosine(LAYER, row(dirs, b, s.dim(1))).times(0.1))
                .minus(Objectives.iam(LAYER, units[b]).times(0.5)),
        1f,
        (layer, a, g, v) -> {
          try (DeviceBuffer u = device.toDevice(units);
              DeviceBuffer d = device.toDevice(dirs)) {
            ObjectiveKernels.channel(device, layer, a, u, g, v, 1f);
            ObjectiveKernels.cosine(device, layer, a, d, g, v, 0.1f);
            ObjectiveKernels.iam(device, layer, a, u, g, v, -0.5f);
          }
        },
        "channel + 0.1 cosine - 0.5 iam");
  }

  @Test
  void aTargetOutOfRangeGivesNaNAndNoGradient() {
    Shape s = CONV;
    int batch = s.dim(0);
    int n = s.size() / batch;
    float[] acts = activations(s);
    float[] grad0 = KernelChecks.uniform(rng, acts.length, -1f, 1f);
    int[] units = {1, s.dim(1), -1}; // only sample 0 is valid
    try (DeviceBuffer a = device.toDevice(acts);
        DeviceBuffer u = device.toDevice(units);
        DeviceBuffer p = device.toDevice(new int[] {0, 0, 0})) {
      for (String kind : new String[] {"channel", "iam", "neuron"}) {
        try (DeviceBuffer g = device.toDevice(grad0);
            DeviceBuffer v = device.toDevice(new float[batch])) {
          TargetLayer layer = TargetLayer.of(s);
          switch (kind) {
            case "channel" -> ObjectiveKernels.channel(device, layer, a, u, g, v, 1f);
            case "iam" -> ObjectiveKernels.iam(device, layer, a, u, g, v, 1f);
            default -> ObjectiveKernels.neuron(device, layer, a, u, p, g, v, 1f);
          }
          float[] values = device.copyToHostFloats(v, batch);
          float[] grad = device.copyToHostFloats(g, acts.length);
          assertTrue(
              Float.isFinite(values[0]), kind + ": the valid sample's value is " + values[0]);
          for (int b = 1; b < batch; b++) {
            assertTrue(
                Float.isNaN(values[b]),
                kind + ": sample " + b + " with unit " + units[b] + " gave " + values[b]);
            assertArrayEquals(
                row(grad0, b, n), row(grad, b, n), kind + ": sample " + b + " got a gradient");
          }
        }
      }
    }
  }

  @Test
  void layerGeometryAndBadArguments() {
    assertEquals(new TargetLayer(3, 6, 49), TargetLayer.of(CONV));
    assertEquals(new TargetLayer(4, 8, 1), TargetLayer.of(DENSE));
    assertEquals(3 * 7 + 3, ObjectiveKernels.centerPosition(Shape.of(6, 7, 7)));
    assertEquals(0, ObjectiveKernels.centerPosition(Shape.of(8)));
    try (DeviceBuffer a = device.allocateFloats(8);
        DeviceBuffer small = device.allocateFloats(7);
        DeviceBuffer u = device.allocateInts(1);
        DeviceBuffer v = device.allocateFloats(1)) {
      TargetLayer one = new TargetLayer(1, 8, 1);
      assertThrows(
          IllegalArgumentException.class,
          () -> ObjectiveKernels.iam(device, new TargetLayer(1, 1, 8), a, u, a, v, 1f),
          "iam of one unit");
      assertThrows(
          IllegalArgumentException.class,
          () -> ObjectiveKernels.channel(device, one, a, u, small, v, 1f),
          "a gradient buffer too small");
      assertThrows(
          IllegalArgumentException.class,
          () -> ObjectiveKernels.direction(device, one, a, small, a, v, 1f),
          "directions too short");
      assertThrows(
          IllegalArgumentException.class,
          () -> ObjectiveKernels.dotCossim(device, one, a, a, a, v, 1f, -1f, 0.1f),
          "a negative power");
      // An empty batch launches nothing (CUDA rejects empty grids).
      ObjectiveKernels.cosine(device, new TargetLayer(0, 8, 1), a, a, a, v, 1f);
    }
  }
}
