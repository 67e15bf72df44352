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
import org.featviz.plan.CustomKernels;
import org.featviz.plan.CustomKernels.PadMode;
import org.junit.jupiter.api.Test;

/**
 * cuda/layout.cu against the CPU references (ConcatRef, TransposeRef, PadRef) on fresh random
 * inputs: Concat along several axes and its slice backward, Transpose of ranks 2 to 6 and its
 * backward (the inverse permutation), Pad in every mode with growing and cropping pads, and
 * constant Pad's backward, Gather with constant (negative, repeated) indices along every axis and
 * its summing backward; gradients overwriting and accumulating.
 */
public abstract class LayoutKernelCases extends DeviceCases {
  private final Random rng = new Random(7);

  @Test
  void concatForwardAndBackwardMatchTheCpuReference() {
    int[][][] cases = {{{2, 3, 4}, {2, 5, 4}, {2, 1, 4}}, {{3, 2}, {3, 7}}, {{2, 3}, {4, 3}}};
    int[] axes = {1, 1, 0};
    for (int c = 0; c < cases.length; c++) {
      int axis = axes[c];
      int n = cases[c].length;
      Tensor[] in = new Tensor[n];
      for (int i = 0; i < n; i++) in[i] = random(Shape.of(cases[c][i]), rng, -1f, 1f);
      Node node = node("Concat", Map.of("axis", (long) axis), n, 1);
      Tensor expected = CpuOracle.forward(node, in);
      Tensor gy = random(expected.shape(), rng, -1f, 1f);
      boolean[] all = new boolean[n];
      java.util.Arrays.fill(all, true);
      Tensor[] grads = CpuOracle.backward(node, in, gy, all);
      Shape out = expected.shape();
      int outer = out.size(0, axis);
      int outRow = out.size(axis, out.rank());
      try (DeviceBuffer y = device.allocateFloats(out.size());
          DeviceBuffer dy = device.toDevice(gy.data())) {
        int offset = 0;
        for (int i = 0; i < n; i++) {
          int row = in[i].size() / outer;
          try (DeviceBuffer x = device.toDevice(in[i].data());
              DeviceBuffer dx = device.allocateFloats(in[i].size())) {
            CustomKernels.concatForward(device, x, y, outer, row, outRow, offset);
            CustomKernels.concatBackward(device, dy, dx, outer, row, outRow, offset, false);
            assertClose(
                grads[i].data(),
                device.copyToHostFloats(dx, in[i].size()),
                0,
                0,
                "concat slice " + i);
            CustomKernels.concatBackward(device, dy, dx, outer, row, outRow, offset, true);
            assertClose(
                CpuOracle.plus(grads[i].data(), grads[i].data()),
                device.copyToHostFloats(dx, in[i].size()),
                1e-6,
                0,
                "concat slice " + i + ", accumulated");
          }
          offset += row;
        }
        assertClose(
            expected.data(), device.copyToHostFloats(y, out.size()), 0, 0, "concat axis " + axis);
      }
    }
  }

  @Test
  void transposeAndItsInverseMatchTheCpuReference() {
    int[][] shapes = {{3, 5}, {2, 3, 4}, {2, 3, 4, 5}, {2, 1, 3, 2, 2}, {2, 2, 1, 3, 2, 2}};
    int[][] perms = {{1, 0}, {2, 0, 1}, {0, 2, 3, 1}, {4, 2, 0, 1, 3}, {5, 0, 4, 2, 3, 1}};
    for (int c = 0; c < shapes.length; c++) {
      Shape xs = Shape.of(shapes[c]);
      int[] perm = perms[c];
      Tensor x = random(xs, rng, -1f, 1f);
      long[] permAttr = java.util.Arrays.stream(perm).asLongStream().toArray();
      Node node = node("Transpose", Map.of("perm", permAttr), 1, 1);
      Tensor expected = CpuOracle.forward(node, x);
      Tensor gy = random(expected.shape(), rng, -1f, 1f);
      Tensor gx = CpuOracle.backward(node, new Tensor[] {x}, gy, true)[0];
      int[] xStrides = xs.strides();
      int[] source = new int[perm.length];
      int[] inverse = new int[perm.length];
      int[] inverseSource = new int[perm.length];
      int[] yStrides = expected.shape().strides();
      for (int k = 0; k < perm.length; k++) {
        source[k] = xStrides[perm[k]];
        inverse[perm[k]] = k;
      }
      for (int k = 0; k < perm.length; k++) inverseSource[k] = yStrides[inverse[k]];
      float[] prior = random(xs, rng, -1f, 1f).data();
      try (DeviceBuffer dx = device.toDevice(x.data());
          DeviceBuffer y = device.allocateFloats(x.size());
          DeviceBuffer dy = device.toDevice(gy.data());
          DeviceBuffer g = device.toDevice(prior)) {
        CustomKernels.transpose(device, dx, y, expected.shape().dims(), source, false);
        assertClose(expected.data(), device.copyToHostFloats(y, x.size()), 0, 0, "transpose " + xs);
        CustomKernels.transpose(device, dy, g, xs.dims(), inverseSource, true);
        assertClose(
            CpuOracle.plus(prior, gx.data()),
            device.copyToHostFloats(g, x.size()),
            1e-6,
            0,
            "transpose backward " + xs + ", accumulated");
      }
    }
  }

  @Test
  void padForwardMatchesTheCpuReferenceInEveryMode() {
    int[][] shapes = {{2, 3, 4, 5}, {3, 4}, {1, 2, 3, 2, 1, 4}};
    long[][] pads = {{0, 1, 2, 0, 0, 1, 3, 2}, {2, -1, 0, 3}, {0, 1, 0, 1, 2, 1, 0, 0, 1, 0, 0, 2}};
    for (int c = 0; c < shapes.length; c++) {
      for (PadMode mode : PadMode.values()) {
        Shape xs = Shape.of(shapes[c]);
        Tensor x = random(xs, rng, -1f, 1f);
        String modeName = mode.name().toLowerCase(java.util.Locale.ROOT);
        Node node =
            new Node(
                "pad",
                "Pad",
                java.util.List.of("x0", "pads", "value"),
                java.util.List.of("y0"),
                new org.featviz.ir.Attributes(Map.of("mode", modeName)));
        Tensor padsTensor = Tensor.ofLongs(Shape.of(pads[c].length), pads[c]);
        Tensor expected = CpuOracle.forward(node, x, padsTensor, Tensor.scalar(0.75f));
        int rank = xs.rank();
        int[] begin = new int[rank];
        for (int k = 0; k < rank; k++) begin[k] = (int) pads[c][k];
        try (DeviceBuffer dx = device.toDevice(x.data());
            DeviceBuffer y = device.allocateFloats(expected.size());
            DeviceBuffer value = device.toDevice(new float[] {0.75f})) {
          CustomKernels.padForward(
              device, dx, y, mode, value, xs.dims(), begin, expected.shape().dims());
          assertClose(
              expected.data(),
              device.copyToHostFloats(y, expected.size()),
              0,
              0,
              "pad " + modeName + " " + xs);
        }
      }
    }
  }

  @Test
  void constantPadBackwardMatchesTheCpuReference() {
    Shape xs = Shape.of(2, 3, 4, 5);
    long[] pads = {0, 1, -1, 2, 0, 0, 2, -2};
    Tensor x = random(xs, rng, -1f, 1f);
    Node node =
        new Node(
            "pad",
            "Pad",
            java.util.List.of("x0", "pads"),
            java.util.List.of("y0"),
            new org.featviz.ir.Attributes(Map.of("mode", "constant")));
    Tensor padsTensor = Tensor.ofLongs(Shape.of(pads.length), pads);
    Tensor y = CpuOracle.forward(node, x, padsTensor);
    Tensor gy = random(y.shape(), rng, -1f, 1f);
    Tensor gx = CpuOracle.backward(node, new Tensor[] {x, padsTensor}, gy, true, false)[0];
    int[] begin = {0, 1, -1, 2};
    float[] prior = random(xs, rng, -1f, 1f).data();
    try (DeviceBuffer dy = device.toDevice(gy.data());
        DeviceBuffer dx = device.toDevice(prior)) {
      CustomKernels.padBackwardConstant(device, dy, dx, xs.dims(), begin, y.shape().dims(), false);
      assertClose(gx.data(), device.copyToHostFloats(dx, xs.size()), 0, 0, "constant pad backward");
      device.copyToDevice(prior, dx);
      CustomKernels.padBackwardConstant(device, dy, dx, xs.dims(), begin, y.shape().dims(), true);
      assertClose(
          CpuOracle.plus(prior, gx.data()),
          device.copyToHostFloats(dx, xs.size()),
          1e-6,
          0,
          "constant pad backward, accumulated");
    }
  }

  @Test
  void gatherForwardAndBackwardMatchTheCpuReference() {
    Shape xs = Shape.of(3, 5, 4);
    long[][] indices = {{2}, {-1, 0, 3, 0}, {1, 1, 1}};
    for (int axis = 0; axis < 3; axis++) {
      for (long[] raw : indices) {
        long[] idx = raw.clone();
        for (int k = 0; k < idx.length; k++) idx[k] = Math.min(idx[k], xs.dim(axis) - 1);
        Tensor x = random(xs, rng, -1f, 1f);
        Tensor it = Tensor.ofLongs(Shape.of(idx.length), idx);
        Node node = node("Gather", Map.of("axis", (long) axis), 2, 1);
        Tensor expected = CpuOracle.forward(node, x, it);
        Tensor gy = random(expected.shape(), rng, -1f, 1f);
        float[] dx = CpuOracle.backward(node, new Tensor[] {x, it}, gy, true, false)[0].data();
        int outer = xs.size(0, axis);
        int inner = xs.size(axis + 1, 3);
        float[] index = new float[idx.length];
        for (int k = 0; k < idx.length; k++) index[k] = idx[k] < 0 ? idx[k] + xs.dim(axis) : idx[k];
        String what = "gather axis " + axis + " " + java.util.Arrays.toString(idx);
        float[] prior = random(xs, rng, -1f, 1f).data();
        try (DeviceBuffer xb = device.toDevice(x.data());
            DeviceBuffer ib = device.toDevice(index);
            DeviceBuffer yb = device.allocateFloats(expected.size());
            DeviceBuffer gb = device.toDevice(gy.data());
            DeviceBuffer db = device.toDevice(prior)) {
          CustomKernels.gatherForward(device, xb, yb, ib, outer, xs.dim(axis), idx.length, inner);
          assertClose(expected.data(), device.copyToHostFloats(yb, expected.size()), 0, 0, what);
          CustomKernels.gatherBackward(
              device, gb, db, ib, outer, xs.dim(axis), idx.length, inner, false);
          assertClose(dx, device.copyToHostFloats(db, xs.size()), 1e-6, 1e-7, what + " backward");
          device.copyToDevice(prior, db);
          CustomKernels.gatherBackward(
              device, gb, db, ib, outer, xs.dim(axis), idx.length, inner, true);
          assertClose(
              CpuOracle.plus(prior, dx),
              device.copyToHostFloats(db, xs.size()),
              1e-6,
              1e-7,
              what + " backward, accumulated");
        }
      }
    }
  }

  /**
   * resample_forward/backward against ResizeRef (all axes at once, in double) on nodes that resize
   * one axis: first, middle and last, up and down, linear under three coordinate modes and nearest
   * under two roundings; gradients overwriting and accumulating.
   */
  @Test
  void resampleMatchesTheCpuReferenceOnOneAxis() {
    Object[][] cases = {
      {new int[] {5, 3, 4}, new long[] {9, 3, 4}, Map.of("mode", "linear")},
      {new int[] {2, 7, 3}, new long[] {2, 4, 3}, Map.of("mode", "linear")},
      {
        new int[] {2, 3, 6},
        new long[] {2, 3, 13},
        Map.of("mode", "linear", "coordinate_transformation_mode", "align_corners")
      },
      {
        new int[] {2, 3, 6},
        new long[] {2, 3, 4},
        Map.of("mode", "linear", "coordinate_transformation_mode", "pytorch_half_pixel")
      },
      {
        new int[] {3, 5, 2},
        new long[] {3, 11, 2},
        Map.of("coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor")
      },
      {new int[] {3, 8, 2}, new long[] {3, 5, 2}, Map.of()}
    };
    for (Object[] c : cases) {
      int[] dims = (int[]) c[0];
      long[] sizes = (long[]) c[1];
      @SuppressWarnings("unchecked")
      Node node = node("Resize", (Map<String, Object>) c[2], 4, 1);
      Tensor x = random(Shape.of(dims), rng, -1f, 1f);
      Tensor sz = Tensor.ofLongs(Shape.of(3), sizes);
      Tensor[] in = {x, null, null, sz};
      org.featviz.ops.ResizeSpec.Taps[] taps =
          org.featviz.ops.ResizeSpec.taps(
              new org.featviz.ops.OpContext(
                  node,
                  java.util.Arrays.asList(x.shape(), null, null, sz.shape()),
                  java.util.Arrays.asList(in),
                  13));
      int axis = 0;
      while (sizes[axis] == dims[axis]) axis++;
      org.featviz.ops.ResizeSpec.Taps t = taps[axis];
      int outLen = (int) sizes[axis];
      float[] rows = new float[4 * outLen];
      for (int i = 0; i < outLen; i++) {
        rows[i] = t.i0()[i];
        rows[outLen + i] = t.i1()[i];
        rows[2 * outLen + i] = t.w0()[i];
        rows[3 * outLen + i] = t.w1()[i];
      }
      Tensor expected = CpuOracle.forward(node, in);
      Tensor gy = random(expected.shape(), rng, -1f, 1f);
      float[] dx = CpuOracle.backward(node, in, gy, true)[0].data();
      float[] prior = random(x.shape(), rng, -1f, 1f).data();
      int outer = x.shape().size(0, axis);
      int inner = x.shape().size(axis + 1, 3);
      String what =
          "resample " + x.shape() + " -> " + java.util.Arrays.toString(sizes) + " " + c[2];
      try (DeviceBuffer xb = device.toDevice(x.data());
          DeviceBuffer tb = device.toDevice(rows);
          DeviceBuffer yb = device.allocateFloats(expected.size());
          DeviceBuffer dyb = device.toDevice(gy.data());
          DeviceBuffer g = device.toDevice(prior)) {
        CustomKernels.resampleForward(device, xb, yb, tb, outer, dims[axis], outLen, inner);
        assertClose(
            expected.data(), device.copyToHostFloats(yb, expected.size()), 1e-5, 1e-6, what);
        CustomKernels.resampleBackward(device, dyb, g, tb, outer, dims[axis], outLen, inner, true);
        assertClose(
            CpuOracle.plus(prior, dx),
            device.copyToHostFloats(g, x.size()),
            1e-5,
            1e-6,
            what + " backward, accumulated");
        CustomKernels.resampleBackward(device, dyb, g, tb, outer, dims[axis], outLen, inner, false);
        assertClose(dx, device.copyToHostFloats(g, x.size()), 1e-5, 1e-6, what + " backward");
      }
    }
  }
}
