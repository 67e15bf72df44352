package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.device.DeviceTesting;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.junit.jupiter.api.Test;

/**
 * log_softmax_forward/backward of cuda/reduce.cu against LogSoftmaxRef on several axes,
 * instance_norm_forward/backward against InstanceNormalizationRef; reduce_axes_forward/backward of
 * cuda/reduce.cu against the CPU reference (ReduceRef) for every reduction over several axis sets
 * up to 6-D, ties included (the gradient goes to the first maximum), gradients overwriting and
 * accumulating; row_sum of cuda/reduce.cu against a float64 reference on fresh random inputs, for
 * row lengths below, at and above the block size and for block sizes from one warp to 1024 threads.
 * Run on the emulator (EmuTest$ReduceKernel) and on a GPU (GpuTest$ReduceKernel). Shape legend: R
 * rows, C columns; x [R, C], y [R].
 */
public abstract class ReduceKernelCases extends DeviceCases {
  /**
   * Runs row_sum with `blocks` blocks (at least R; extra blocks must leave y alone) of `threads`
   * threads.
   */
  private float[] rowSum(float[] x, int rows, int cols, int blocks, int threads) {
    try (DeviceBuffer xb = device.toDevice(x);
        DeviceBuffer yb = device.allocateFloats(rows)) {
      device.launch(
          "row_sum",
          Dim3.of(blocks),
          Dim3.of(threads),
          0,
          new KernelArgs().ptr(xb).ptr(yb).i32(rows).i32(cols));
      return device.copyToHostFloats(yb, rows);
    }
  }

  /** |y - sum| <= 1e-6 * sum of |x| per row (float rounding of a tree sum); NaN fails. */
  private static void assertRowSums(float[] x, int rows, int cols, float[] y, String what) {
    for (int r = 0; r < rows; r++) {
      double sum = 0;
      double abs = 0;
      for (int c = 0; c < cols; c++) {
        sum += x[r * cols + c];
        abs += Math.abs(x[r * cols + c]);
      }
      double error = Math.abs(y[r] - sum);
      if (!(error <= 1e-6 * abs + 1e-30)) {
        fail(
            what
                + ": row "
                + r
                + " sums to "
                + y[r]
                + ", expected "
                + sum
                + " (error "
                + error
                + ")");
      }
    }
  }

  @Test
  void rowSumMatchesFloat64Reference() {
    Random rng = new Random(31);
    int[][] cases = { // rows, cols, threads per block
      {1, 1, 32},
      {3, 31, 32},
      {2, 33, 32},
      {4, 300, 64},
      {5, 1000, 256},
      {3, 2500, 1024},
      {6, 97, 96}
    };
    for (int[] c : cases) {
      int rows = c[0];
      int cols = c[1];
      float[] x = DeviceTesting.uniform(rng, rows * cols, -1f, 1f);
      assertRowSums(
          x,
          rows,
          cols,
          rowSum(x, rows, cols, rows, c[2]),
          "R=" + rows + " C=" + cols + " B=" + c[2]);
    }
  }

  @Test
  void rowSumOfLargeOffsetValuesKeepsRelativeAccuracy() {
    Random rng = new Random(32);
    int rows = 3;
    int cols = 777;
    float[] x = DeviceTesting.uniform(rng, rows * cols, 1000f, 1001f);
    assertRowSums(x, rows, cols, rowSum(x, rows, cols, rows, 128), "offset values");
  }

  @Test
  void extraBlocksBeyondTheRowsWriteNothing() {
    Random rng = new Random(33);
    int rows = 2;
    int cols = 50;
    float[] x = DeviceTesting.uniform(rng, rows * cols, -1f, 1f);
    assertRowSums(x, rows, cols, rowSum(x, rows, cols, rows + 3, 64), "grid larger than R");
  }

  @Test
  void emptyRowsSumToZero() {
    float[] y = rowSum(new float[1], 4, 0, 4, 32);
    for (float v : y) assertTrue(v == 0f, "sum of an empty row: " + v);
  }

  @Test
  void axisReductionsMatchTheCpuReference() {
    Random rng = new Random(32);
    int[][] shapes = {{4, 5}, {2, 3, 4}, {2, 3, 4, 5}, {1, 2, 3, 2, 2, 3}};
    int[][][] axes = {
      {{0}, {1}, {0, 1}}, {{1}, {0, 2}, {2}}, {{2, 3}, {1}, {0, 1, 2, 3}}, {{5}, {1, 3}}
    };
    String[] ops = {"ReduceSum", "ReduceMean", "ReduceMax"};
    for (int s = 0; s < shapes.length; s++) {
      org.featviz.ir.Shape xs = org.featviz.ir.Shape.of(shapes[s]);
      for (int[] ax : axes[s]) {
        for (int op = 0; op < 3; op++) {
          long[] axesAttr = org.featviz.cpu.OpTesting.widen(ax);
          org.featviz.ir.Node node =
              org.featviz.cpu.OpTesting.node(ops[op], java.util.Map.of("axes", axesAttr), 1, 1);
          float[] xv = DeviceTesting.uniform(rng, xs.size(), -1f, 1f);
          // Coarse values: maxima tie within groups, and the gradient must go to the first one.
          for (int i = 0; i < xv.length; i++) xv[i] = Math.round(xv[i] * 2) / 2f;
          org.featviz.ir.Tensor x = org.featviz.ir.Tensor.of(xs, xv);
          // Opset 13's ReduceSum takes its axes as an input: the reference runs at opset 13 too.
          org.featviz.ir.Tensor[] in = {x};
          if (op == 0) {
            node = org.featviz.cpu.OpTesting.node(ops[op], java.util.Map.of(), 2, 1);
            in =
                new org.featviz.ir.Tensor[] {
                  x, org.featviz.ir.Tensor.ofLongs(org.featviz.ir.Shape.of(ax.length), axesAttr)
                };
          }
          org.featviz.ir.Tensor expected = CpuOracle.forward(node, in);
          org.featviz.ir.Tensor gy =
              org.featviz.ir.Tensor.of(
                  expected.shape(), DeviceTesting.uniform(rng, expected.size(), -1f, 1f));
          boolean[] wrt = op == 0 ? new boolean[] {true, false} : new boolean[] {true};
          float[] dx = CpuOracle.backward(node, in, gy, wrt)[0].data();
          boolean[] reduced = new boolean[xs.rank()];
          for (int a : ax) reduced[a] = true;
          var kop = org.featviz.plan.CustomKernels.ReduceOp.values()[op];
          String what = ops[op] + " " + xs + " axes " + java.util.Arrays.toString(ax);
          float[] prior = DeviceTesting.uniform(rng, xs.size(), -1f, 1f);
          try (DeviceBuffer xb = device.toDevice(xv);
              DeviceBuffer yb = device.allocateFloats(expected.size());
              DeviceBuffer gb = device.toDevice(gy.data());
              DeviceBuffer db = device.toDevice(prior)) {
            org.featviz.plan.CustomKernels.reduceAxesForward(
                device, kop, xb, yb, shapes[s], reduced);
            org.featviz.cpu.OpTesting.assertClose(
                expected.data(), device.copyToHostFloats(yb, expected.size()), 1e-5, 1e-6, what);
            org.featviz.plan.CustomKernels.reduceAxesBackward(
                device, kop, xb, gb, db, shapes[s], reduced, false);
            org.featviz.cpu.OpTesting.assertClose(
                dx, device.copyToHostFloats(db, xs.size()), 1e-6, 1e-7, what + " backward");
            device.copyToDevice(prior, db);
            org.featviz.plan.CustomKernels.reduceAxesBackward(
                device, kop, xb, gb, db, shapes[s], reduced, true);
            org.featviz.cpu.OpTesting.assertClose(
                CpuOracle.plus(prior, dx),
                device.copyToHostFloats(db, xs.size()),
                1e-6,
                1e-7,
                what + " backward, accumulated");
          }
        }
      }
    }
  }

  /**
   * log_softmax_forward/backward against LogSoftmaxRef (in double) on [outer, length, inner] views:
   * the last axis, a middle one, a long row, values far from 0 (the shift by the maximum) and one
   * element per group; gradients overwriting and accumulating.
   */
  @Test
  void logSoftmaxMatchesTheCpuReference() {
    Random rng = new Random(71);
    int[][] shapes = {{3, 10}, {2, 5, 4}, {2, 1000}, {4, 1, 3}, {1, 7, 6, 2}};
    int[] axes = {1, 1, -1, 1, 1};
    for (int c = 0; c < shapes.length; c++) {
      org.featviz.ir.Shape shape = org.featviz.ir.Shape.of(shapes[c]);
      int axis = axes[c] < 0 ? shape.rank() + axes[c] : axes[c];
      org.featviz.ir.Node node =
          org.featviz.cpu.OpTesting.node(
              "LogSoftmax", java.util.Map.of("axis", (long) axes[c]), 1, 1);
      float offset = c == 2 ? 10000f : 0f;
      org.featviz.ir.Tensor x =
          org.featviz.cpu.OpTesting.random(shape, rng, offset - 6f, offset + 6f);
      org.featviz.ir.Tensor gy = org.featviz.cpu.OpTesting.random(shape, rng, -1f, 1f);
      int outer = shape.size(0, axis);
      int length = shape.dim(axis);
      int inner = shape.size(axis + 1, shape.rank());
      int n = shape.size();
      String what = "log softmax " + shape + " axis " + axes[c];
      float[] expected = CpuOracle.forward(node, x).data();
      float[] dx = CpuOracle.backward(node, new org.featviz.ir.Tensor[] {x}, gy, true)[0].data();
      float[] prior = org.featviz.cpu.OpTesting.random(shape, rng, -1f, 1f).data();
      try (DeviceBuffer xb = device.toDevice(x.data());
          DeviceBuffer yb = device.allocateFloats(n);
          DeviceBuffer dyb = device.toDevice(gy.data());
          DeviceBuffer g = device.toDevice(prior)) {
        org.featviz.plan.CustomKernels.logSoftmaxForward(device, xb, yb, outer, length, inner);
        org.featviz.cpu.OpTesting.assertClose(
            expected, device.copyToHostFloats(yb, n), 1e-5, 1e-5, what);
        org.featviz.plan.CustomKernels.logSoftmaxBackward(
            device, yb, dyb, g, outer, length, inner, true);
        org.featviz.cpu.OpTesting.assertClose(
            CpuOracle.plus(prior, dx),
            device.copyToHostFloats(g, n),
            1e-4,
            1e-5,
            what + " backward, accumulated");
        org.featviz.plan.CustomKernels.logSoftmaxBackward(
            device, yb, dyb, g, outer, length, inner, false);
        org.featviz.cpu.OpTesting.assertClose(
            dx, device.copyToHostFloats(g, n), 1e-4, 1e-5, what + " backward");
      }
    }
  }

  /**
   * instance_norm_forward/backward against InstanceNormalizationRef (in double): groups shorter
   * than a warp, longer than the block, of one element (variance 0), and with a large mean;
   * gradients overwriting and accumulating.
   */
  @Test
  void instanceNormMatchesTheCpuReference() {
    Random rng = new Random(72);
    int[][] shapes = {{2, 3, 5, 7}, {1, 2, 1000}, {3, 4, 1}, {2, 2, 3, 3}};
    float[] offsets = {0f, 0f, 0f, 100f};
    org.featviz.ir.Node node =
        org.featviz.cpu.OpTesting.node("InstanceNormalization", java.util.Map.of(), 3, 1);
    for (int c = 0; c < shapes.length; c++) {
      org.featviz.ir.Shape shape = org.featviz.ir.Shape.of(shapes[c]);
      int channels = shape.dim(1);
      int groups = shape.dim(0) * channels;
      int size = shape.size(2, shape.rank());
      int n = shape.size();
      org.featviz.ir.Shape cs = org.featviz.ir.Shape.of(channels);
      org.featviz.ir.Tensor x =
          org.featviz.cpu.OpTesting.random(shape, rng, offsets[c] - 2f, offsets[c] + 2f);
      org.featviz.ir.Tensor scale = org.featviz.cpu.OpTesting.random(cs, rng, -1.5f, 1.5f);
      org.featviz.ir.Tensor bias = org.featviz.cpu.OpTesting.random(cs, rng, -1f, 1f);
      org.featviz.ir.Tensor gy = org.featviz.cpu.OpTesting.random(shape, rng, -1f, 1f);
      org.featviz.ir.Tensor[] in = {x, scale, bias};
      String what = "instance norm " + shape;
      float[] expected = CpuOracle.forward(node, in).data();
      float[] dx = CpuOracle.backward(node, in, gy, true, false, false)[0].data();
      float[] prior = org.featviz.cpu.OpTesting.random(shape, rng, -1f, 1f).data();
      try (DeviceBuffer xb = device.toDevice(x.data());
          DeviceBuffer sb = device.toDevice(scale.data());
          DeviceBuffer bb = device.toDevice(bias.data());
          DeviceBuffer yb = device.allocateFloats(n);
          DeviceBuffer dyb = device.toDevice(gy.data());
          DeviceBuffer g = device.toDevice(prior)) {
        org.featviz.plan.CustomKernels.instanceNormForward(
            device, xb, sb, bb, yb, groups, channels, size, 1e-5f);
        org.featviz.cpu.OpTesting.assertClose(
            expected, device.copyToHostFloats(yb, n), 1e-4, 1e-5, what);
        org.featviz.plan.CustomKernels.instanceNormBackward(
            device, xb, sb, dyb, g, groups, channels, size, 1e-5f, true);
        org.featviz.cpu.OpTesting.assertClose(
            CpuOracle.plus(prior, dx),
            device.copyToHostFloats(g, n),
            1e-4,
            1e-4,
            what + " backward, accumulated");
        org.featviz.plan.CustomKernels.instanceNormBackward(
            device, xb, sb, dyb, g, groups, channels, size, 1e-5f, false);
        org.featviz.cpu.OpTesting.assertClose(
            dx, device.copyToHostFloats(g, n), 1e-4, 1e-4, what + " backward");
      }
    }
  }
}
