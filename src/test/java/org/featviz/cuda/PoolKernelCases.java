package org.featviz.cuda;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.random;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.featviz.cpu.OpTesting;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Attributes;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ops.OpContext;
import org.featviz.ops.PoolSpec;
import org.featviz.ops.SpatialWindow;
import org.featviz.plan.CustomKernels;
import org.featviz.plan.CustomKernels.PoolMode;
import org.junit.jupiter.api.Test;

/**
 * cuda/pool.cu against the CPU references MaxPoolRef and AveragePoolRef, forward and backward, on
 * fresh random inputs: dilated 1-D, 2-D and 3-D windows with strides, asymmetric pads, ceil_mode
 * and count_include_pad, max pooling whose padding is wider than the window (windows that read
 * padding only give 0), gradients overwriting and accumulating, and a plane count that is not a
 * multiple of the block.
 */
public abstract class PoolKernelCases extends DeviceCases {
  private final Random rng = new Random(17);

  private static long[] l(int... v) {
    long[] r = new long[v.length];
    for (int i = 0; i < v.length; i++) r[i] = v[i];
    return r;
  }

  /** One pooling configuration: the op, its attributes and the input shape. */
  private record Case(String op, Map<String, Object> attrs, Shape x) {
    Node node() {
      return new Node(op + "_ref", op, List.of("x"), List.of("y"), new Attributes(attrs));
    }

    SpatialWindow window() {
      List<Shape> shapes = new ArrayList<>();
      shapes.add(x);
      List<Tensor> constants = new ArrayList<>();
      constants.add(null);
      return PoolSpec.window(new OpContext(node(), shapes, constants, OpTesting.OPSET));
    }

    PoolMode mode() {
      if (op.equals("MaxPool")) return PoolMode.MAX;
      Object include = attrs.get("count_include_pad");
      return include != null && (Long) include != 0
          ? PoolMode.AVERAGE_INCLUDE_PAD
          : PoolMode.AVERAGE_EXCLUDE_PAD;
    }
  }

  private static Case pool(String op, Shape x, Object... keyValues) {
    Map<String, Object> attrs = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2)
      attrs.put((String) keyValues[i], keyValues[i + 1]);
    return new Case(op, attrs, x);
  }

  private static List<Case> cases(String op) {
    List<Case> c = new ArrayList<>();
    c.add(pool(op, Shape.of(2, 3, 9, 8), "kernel_shape", l(2, 2), "dilations", l(2, 2)));
    c.add(
        pool(
            op,
            Shape.of(1, 5, 11, 10),
            "kernel_shape",
            l(3, 2),
            "dilations",
            l(2, 3),
            "strides",
            l(2, 1),
            "pads",
            l(1, 0, 2, 1)));
    c.add(
        pool(
            op,
            Shape.of(2, 2, 10, 9),
            "kernel_shape",
            l(3, 3),
            "dilations",
            l(2, 2),
            "strides",
            l(2, 2),
            "pads",
            l(1, 1, 1, 1),
            "ceil_mode",
            1L));
    c.add(
        pool(
            op,
            Shape.of(3, 2, 13),
            "kernel_shape",
            l(3),
            "dilations",
            l(3),
            "strides",
            l(2),
            "pads",
            l(2, 1)));
    c.add(
        pool(
            op,
            Shape.of(1, 2, 5, 6, 7),
            "kernel_shape",
            l(2, 2, 3),
            "dilations",
            l(2, 1, 2),
            "pads",
            l(0, 1, 1, 1, 0, 2)));
    c.add(
        pool(
            op,
            Shape.of(2, 3, 7, 7),
            "kernel_shape",
            l(2, 2),
            "dilations",
            l(3, 2),
            "auto_pad",
            "SAME_UPPER"));
    return c;
  }

  @Test
  void dilatedMaxPoolingMatchesTheCpuReference() {
    for (Case c : cases("MaxPool")) check(c);
  }

  @Test
  void dilatedAveragePoolingMatchesTheCpuReferenceWithAndWithoutPadding() {
    for (Case c : cases("AveragePool")) check(c);
    for (Case c : cases("AveragePool")) {
      Map<String, Object> a = new HashMap<>(c.attrs());
      a.put("count_include_pad", 1L);
      check(new Case("AveragePool", a, c.x()));
    }
  }

  @Test
  void maxPoolingWhosePaddingIsWiderThanTheWindow() {
    // Windows at the corners read padding only: ONNX gives 0 there, and no gradient.
    check(pool("MaxPool", Shape.of(1, 2, 4, 5), "kernel_shape", l(2, 2), "pads", l(2, 3, 2, 2)));
  }

  @Test
  void aNanInAWindowPropagatesAsInTheCpuReference() {
    // Dilated max pooling with NaN at a window's first tap, at a later one and beside a larger
    // value: each window
    // holding a NaN gives NaN and sends its gradient there, as MaxPoolRef (and cuDNN with
    // CUDNN_PROPAGATE_NAN).
    Case c =
        pool(
            "MaxPool",
            Shape.of(1, 2, 7, 6),
            "kernel_shape",
            l(2, 2),
            "dilations",
            l(2, 2),
            "pads",
            l(1, 0, 0, 1));
    Node node = c.node();
    SpatialWindow window = c.window();
    Tensor x = random(c.x(), rng, -2f, 2f);
    for (int i : new int[] {0, 9, 23, 50, 61}) x.data()[i] = Float.NaN;
    Tensor y = CpuOracle.forward(node, x);
    Tensor gy = random(y.shape(), rng, -1f, 1f);
    float[] gx = CpuOracle.backward(node, new Tensor[] {x}, gy, true)[0].data();
    int nans = 0;
    for (float v : y.data()) if (Float.isNaN(v)) nans++;
    org.junit.jupiter.api.Assertions.assertTrue(nans > 2 && nans < y.size(), nans + " NaN outputs");
    try (DeviceBuffer dx = device.toDevice(x.data());
        DeviceBuffer dy = device.allocateFloats(y.size());
        DeviceBuffer ddy = device.toDevice(gy.data());
        DeviceBuffer g = device.allocateFloats(x.size())) {
      CustomKernels.poolForward(device, c.mode(), dx, dy, 2, window);
      org.junit.jupiter.api.Assertions.assertEquals(
          java.util.Arrays.toString(y.data()),
          java.util.Arrays.toString(device.copyToHostFloats(dy, y.size())),
          "forward, NaN where the reference has it");
      CustomKernels.poolBackward(device, c.mode(), dx, ddy, g, 2, window, false);
      assertClose(
          gx, device.copyToHostFloats(g, x.size()), 1e-6, 1e-7, "backward routes to the NaN taps");
    }
  }

  /**
   * Forward, backward overwriting, and backward accumulating onto random contents, against the CPU
   * reference.
   */
  private void check(Case c) {
    Node node = c.node();
    SpatialWindow window = c.window();
    Tensor x = random(c.x(), rng, -2f, 2f);
    Tensor y = CpuOracle.forward(node, x);
    Tensor gy = random(y.shape(), rng, -1f, 1f);
    float[] gx = CpuOracle.backward(node, new Tensor[] {x}, gy, true)[0].data();
    float[] prior = random(c.x(), rng, -1f, 1f).data();
    int planes = c.x().dim(0) * c.x().dim(1);
    String what = c.op() + " " + window + " " + c.attrs().getOrDefault("count_include_pad", 0L);
    try (DeviceBuffer dx = device.toDevice(x.data());
        DeviceBuffer dy = device.allocateFloats(y.size());
        DeviceBuffer ddy = device.toDevice(gy.data());
        DeviceBuffer g = device.toDevice(prior)) {
      CustomKernels.poolForward(device, c.mode(), dx, dy, planes, window);
      assertClose(y.data(), device.copyToHostFloats(dy, y.size()), 1e-6, 1e-7, what + " forward");
      CustomKernels.poolBackward(device, c.mode(), dx, ddy, g, planes, window, true);
      assertClose(
          CpuOracle.plus(prior, gx),
          device.copyToHostFloats(g, x.size()),
          1e-6,
          1e-6,
          what + " backward, accumulated");
      CustomKernels.poolBackward(device, c.mode(), dx, ddy, g, planes, window, false);
      assertClose(gx, device.copyToHostFloats(g, x.size()), 1e-6, 1e-7, what + " backward");
    }
  }
}
