package org.featviz.cuda;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.node;
import static org.featviz.cpu.OpTesting.random;

import java.util.Map;
import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.UnaryFunction;
import org.featviz.plan.CustomKernels;
import org.junit.jupiter.api.Test;

/**
 * The unary kernels of cuda/pointwise.cu against their CPU twin (cpu.UnaryRef, in double) for every
 * {@link UnaryFunction}, on fresh random inputs of a size that is no multiple of the block, with
 * the kinks among them; gradients overwriting and accumulating.
 */
public abstract class UnaryKernelCases extends DeviceCases {
  private final Random rng = new Random(17);
  private static final float[] KINKS = {0f, -2.5f, 2.5f, -3f, 3f};

  /** x in [lo, hi) with the kinks appended where {@code withKinks}. */
  private Tensor input(float lo, float hi, boolean withKinks) {
    float[] v = random(Shape.of(203), rng, lo, hi).data();
    if (withKinks) System.arraycopy(KINKS, 0, v, 0, KINKS.length);
    return Tensor.of(Shape.of(v.length), v);
  }

  /**
   * Runs f's kernels with parameters p, q on x and compares them with the CPU reference of {@code
   * node} (whose inputs beyond x are {@code rest}).
   */
  private void check(UnaryFunction f, Node node, Tensor x, float p, float q, Tensor... rest) {
    int n = x.size();
    Tensor[] in = new Tensor[1 + rest.length];
    in[0] = x;
    System.arraycopy(rest, 0, in, 1, rest.length);
    boolean[] wrt = new boolean[in.length];
    wrt[0] = true;
    Tensor gy = random(x.shape(), rng, -1f, 1f);
    float[] prior = random(x.shape(), rng, -1f, 1f).data();
    String what = f + " (" + p + ", " + q + ")";
    try (DeviceBuffer dx = device.toDevice(x.data());
        DeviceBuffer y = device.allocateFloats(n);
        DeviceBuffer dy = device.toDevice(gy.data());
        DeviceBuffer g = device.toDevice(prior)) {
      CustomKernels.unaryForward(device, f, dx, y, n, p, q);
      assertClose(
          CpuOracle.forward(node, in).data(), device.copyToHostFloats(y, n), 1e-5, 1e-6, what);
      float[] expected = CpuOracle.backward(node, in, gy, wrt)[0].data();
      CustomKernels.unaryBackward(device, f, dx, dy, g, n, p, q, true);
      assertClose(
          CpuOracle.plus(prior, expected),
          device.copyToHostFloats(g, n),
          1e-5,
          1e-6,
          what + " backward, accumulated");
      CustomKernels.unaryBackward(device, f, dx, dy, g, n, p, q, false);
      assertClose(expected, device.copyToHostFloats(g, n), 1e-5, 1e-6, what + " backward");
    }
  }

  private void check(UnaryFunction f, Map<String, Object> attrs, float p, float q, Tensor x) {
    check(f, node(f.opType(), attrs, 1, 1), x, p, q);
  }

  @Test
  void functionsWithoutParametersMatchTheCpuReference() {
    for (UnaryFunction f :
        new UnaryFunction[] {
          UnaryFunction.ERF,
          UnaryFunction.HARD_SWISH,
          UnaryFunction.EXP,
          UnaryFunction.NEG,
          UnaryFunction.ABS,
          UnaryFunction.SOFTPLUS
        }) {
      check(f, Map.of(), 0, 0, input(-5f, 5f, true));
    }
    check(UnaryFunction.SQRT, Map.of(), 0, 0, input(1e-3f, 9f, false));
    check(UnaryFunction.RECIPROCAL, Map.of(), 0, 0, input(0.1f, 9f, false));
    check(UnaryFunction.LOG, Map.of(), 0, 0, input(1e-3f, 9f, false));
  }

  @Test
  void parametrizedFunctionsMatchTheCpuReference() {
    check(UnaryFunction.HARD_SIGMOID, Map.of(), 0.2f, 0.5f, input(-4f, 4f, true));
    check(
        UnaryFunction.HARD_SIGMOID,
        Map.of("alpha", 0.25f, "beta", 0.75f),
        0.25f,
        0.75f,
        input(-5f, 2f, true));
    check(UnaryFunction.ELU, Map.of(), 1f, 0, input(-6f, 3f, true));
    check(UnaryFunction.ELU, Map.of("alpha", 0.3f), 0.3f, 0, input(-6f, 3f, true));
    float alpha = 1.67326319217681884765625f;
    float gamma = 1.05070102214813232421875f;
    check(UnaryFunction.SELU, Map.of(), alpha, gamma, input(-6f, 3f, true));
    check(UnaryFunction.SELU, Map.of("alpha", 2f, "gamma", 3f), 2f, 3f, input(-6f, 3f, true));
  }

  @Test
  void powWithAConstantExponentMatchesTheCpuReference() {
    Node pow = node("Pow", Map.of(), 2, 1);
    for (float e : new float[] {2f, 0.5f, -1.5f, 0f, 1f}) {
      check(UnaryFunction.POW, pow, input(0.1f, 3f, false), e, 0, Tensor.scalar(e));
    }
    check(UnaryFunction.POW, pow, input(-3f, 3f, false), 3f, 0, Tensor.scalar(3f));
  }
}
