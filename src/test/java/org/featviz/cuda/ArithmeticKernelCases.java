package org.featviz.cuda;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;

import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.Broadcast;
import org.featviz.plan.BroadcastGeometry;
import org.featviz.plan.CustomKernels;
import org.featviz.plan.CustomKernels.ArithmeticOp;
import org.junit.jupiter.api.Test;

/**
 * cuda/arithmetic.cu against the CPU references (ArithmeticRef, PRelu included; ExtremumRef for
 * two-input Max and Min, whose gradient goes to the operand that won) on fresh random inputs:
 * forward for every op and broadcasting pattern up to 6-D, and the gradient of each operand (summed
 * over its broadcast dimensions) through both the thread-per-element and the block-reduction
 * kernel, overwriting and accumulating. Run on the emulator (EmuTest$ArithmeticKernel) and a GPU
 * (GpuTest$ArithmeticKernel).
 */
public abstract class ArithmeticKernelCases extends DeviceCases {
  private static final String[] OPS = {"Add", "Sub", "Mul", "Div", "Max", "Min"};

  /**
   * Pairs of operand shapes: equal, trailing, leading, both ways, scalar, 5-D and 6-D, per-channel
   * (block path).
   */
  private static final int[][][] SHAPES = {
    {{2, 3, 4}, {2, 3, 4}},
    {{2, 3, 4}, {4}},
    {{3, 1}, {1, 5}},
    {{}, {2, 3}},
    {{4, 1, 5}, {1, 6, 1}},
    {{2, 1, 3, 1, 2}, {3, 2, 1}},
    {{2, 1, 2, 3, 1, 2}, {1, 3, 1, 1, 4, 1}},
    {{2, 3, 8, 8}, {1, 3, 1, 1}},
    {{1, 3, 1, 1}, {2, 3, 10, 10}}
  };

  private final Random rng = new Random(20261123);

  /** Values in [0.5, 1.5) of random sign: safe divisors. */
  private Tensor awayFromZero(Shape shape) {
    Tensor t = random(shape, rng, 0.5f, 1.5f);
    float[] v = t.data();
    for (int i = 0; i < v.length; i++) if (rng.nextBoolean()) v[i] = -v[i];
    return t;
  }

  /** One op on one pair of SHAPES: a in [-2, 2), b safe to divide by, out their broadcast shape. */
  private record Case(int op, Shape as, Shape bs, Shape out, Tensor a, Tensor b) {
    /** The ONNX node of the op, for the CPU reference. */
    Node reference() {
      return node(OPS[op], Map.of(), 2, 1);
    }

    ArithmeticOp kernelOp() {
      return ArithmeticOp.values()[op];
    }

    BroadcastGeometry geometry() {
      return BroadcastGeometry.of(as, bs, out);
    }
  }

  /** Every op on every pair of operand shapes, with fresh operands for each. */
  private void forEveryCase(Consumer<Case> test) {
    for (int[][] pair : SHAPES) {
      Shape as = Shape.of(pair[0]);
      Shape bs = Shape.of(pair[1]);
      Shape out = Broadcast.multidirectional(as, bs);
      for (int op = 0; op < OPS.length; op++) {
        Tensor a = random(as, rng, -2f, 2f);
        test.accept(new Case(op, as, bs, out, a, awayFromZero(bs)));
      }
    }
  }

  @Test
  void forwardMatchesTheCpuReferenceForEveryOpAndBroadcast() {
    forEveryCase(
        c -> {
          float[] expected = CpuOracle.forward(c.reference(), c.a(), c.b()).data();
          try (DeviceBuffer da = device.toDevice(c.a().data());
              DeviceBuffer db = device.toDevice(c.b().data());
              DeviceBuffer dy = device.allocateFloats(c.out().size())) {
            CustomKernels.arithmeticForward(device, c.kernelOp(), da, db, dy, c.geometry());
            assertClose(
                expected,
                device.copyToHostFloats(dy, c.out().size()),
                1e-6,
                0,
                OPS[c.op()] + " " + c.as() + " " + c.bs());
          }
        });
  }

  @Test
  void gradientsOfBothOperandsMatchTheCpuReference() {
    forEveryCase(
        c -> {
          Tensor gy = random(c.out(), rng, -1f, 1f);
          Tensor[] expected =
              CpuOracle.backward(c.reference(), new Tensor[] {c.a(), c.b()}, gy, true, true);
          for (int wrt = 0; wrt < 2; wrt++) {
            Shape xs = wrt == 0 ? c.as() : c.bs();
            String what =
                "d" + OPS[c.op()] + "/d" + (wrt == 0 ? "a" : "b") + " " + c.as() + " " + c.bs();
            // Overwrite, then accumulate onto earlier contents: dx = prior + gradient.
            float[] prior = random(xs, rng, -1f, 1f).data();
            try (DeviceBuffer da = device.toDevice(c.a().data());
                DeviceBuffer db = device.toDevice(c.b().data());
                DeviceBuffer ddy = device.toDevice(gy.data());
                DeviceBuffer dx = device.toDevice(prior)) {
              CustomKernels.arithmeticBackward(
                  device, c.kernelOp(), wrt, ddy, da, db, dx, c.geometry(), false, 1f);
              assertClose(
                  expected[wrt].data(), device.copyToHostFloats(dx, xs.size()), 1e-5, 1e-6, what);
              device.copyToDevice(prior, dx);
              CustomKernels.arithmeticBackward(
                  device, c.kernelOp(), wrt, ddy, da, db, dx, c.geometry(), true, 1f);
              assertClose(
                  CpuOracle.plus(prior, expected[wrt].data()),
                  device.copyToHostFloats(dx, xs.size()),
                  1e-5,
                  1e-6,
                  what + ", accumulated");
            }
          }
        });
  }

  @Test
  void gradientScaleMultipliesTheSum() {
    Shape as = Shape.of(2, 3, 4);
    Shape bs = Shape.of(4);
    Tensor gy = random(as, rng, -1f, 1f);
    Tensor[] expected =
        CpuOracle.backward(
            node("Add", Map.of(), 2, 1),
            new Tensor[] {random(as, rng, -1f, 1f), random(bs, rng, -1f, 1f)},
            gy,
            false,
            true);
    float[] scaled = expected[1].data().clone();
    for (int i = 0; i < scaled.length; i++) scaled[i] *= 0.35f;
    try (DeviceBuffer ddy = device.toDevice(gy.data());
        DeviceBuffer dx = device.allocateFloats(bs.size())) {
      CustomKernels.arithmeticBackward(
          device,
          ArithmeticOp.ADD,
          1,
          ddy,
          ddy,
          ddy,
          dx,
          BroadcastGeometry.of(as, bs, as),
          false,
          0.35f);
      assertClose(
          scaled, device.copyToHostFloats(dx, bs.size()), 1e-5, 1e-6, "0.35 * bias gradient");
    }
  }

  /**
   * PRelu (op code 6): x of both signs against slopes that broadcast to it (equal, per channel as
   * torch exports it, trailing, one value), forward and the gradients of x and the slope.
   */
  @Test
  void preluMatchesTheCpuReference() {
    int[][][] shapes = {
      {{2, 3, 4}, {2, 3, 4}}, {{2, 3, 8, 8}, {3, 1, 1}}, {{4, 5}, {5}}, {{3, 7}, {}}
    };
    Node prelu = node("PRelu", Map.of(), 2, 1);
    for (int[][] pair : shapes) {
      Shape xs = Shape.of(pair[0]);
      Shape ss = Shape.of(pair[1]);
      Tensor x = random(xs, rng, -2f, 2f);
      Tensor slope = random(ss, rng, -1f, 1f);
      Tensor gy = random(xs, rng, -1f, 1f);
      BroadcastGeometry g = BroadcastGeometry.of(xs, ss, xs);
      String what = "prelu " + xs + " slope " + ss;
      Tensor[] expected = CpuOracle.backward(prelu, new Tensor[] {x, slope}, gy, true, true);
      try (DeviceBuffer dx = device.toDevice(x.data());
          DeviceBuffer ds = device.toDevice(slope.data());
          DeviceBuffer dy = device.allocateFloats(xs.size());
          DeviceBuffer ddy = device.toDevice(gy.data())) {
        CustomKernels.arithmeticForward(device, ArithmeticOp.PRELU, dx, ds, dy, g);
        assertClose(
            CpuOracle.forward(prelu, x, slope).data(),
            device.copyToHostFloats(dy, xs.size()),
            1e-6,
            0,
            what);
        for (int wrt = 0; wrt < 2; wrt++) {
          Shape gs = wrt == 0 ? xs : ss;
          float[] prior = random(gs, rng, -1f, 1f).data();
          try (DeviceBuffer grad = device.toDevice(prior)) {
            CustomKernels.arithmeticBackward(
                device, ArithmeticOp.PRELU, wrt, ddy, dx, ds, grad, g, true, 1f);
            assertClose(
                CpuOracle.plus(prior, expected[wrt].data()),
                device.copyToHostFloats(grad, gs.size()),
                1e-5,
                1e-6,
                what + " d/d" + (wrt == 0 ? "x" : "slope") + ", accumulated");
            CustomKernels.arithmeticBackward(
                device, ArithmeticOp.PRELU, wrt, ddy, dx, ds, grad, g, false, 1f);
            assertClose(
                expected[wrt].data(),
                device.copyToHostFloats(grad, gs.size()),
                1e-5,
                1e-6,
                what + " d/d" + (wrt == 0 ? "x" : "slope"));
          }
        }
      }
    }
  }
}
