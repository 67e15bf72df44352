package org.featviz.cuda;

import static org.featviz.cpu.OpTesting.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.device.DeviceTesting;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.junit.jupiter.api.Test;

/**
 * broadcast_binary of cuda/elementwise.cu against a plain Java reference of ONNX/NumPy
 * broadcasting, for each op and for shapes that broadcast along leading, trailing, inner and
 * several dimensions at once. Run on the emulator (EmuTest$ElementwiseKernel) and a GPU
 * (GpuTest$ElementwiseKernel).
 */
public abstract class ElementwiseKernelCases extends DeviceCases {
  static final String[] OPS = {"add", "sub", "mul", "div"};

  /** A shape right-aligned into 4 dimensions, padded with leading 1s. */
  static int[] as4d(int[] shape) {
    int[] out = {1, 1, 1, 1};
    System.arraycopy(shape, 0, out, 4 - shape.length, shape.length);
    return out;
  }

  /**
   * The broadcast output shape (4-D): the larger size where the inputs differ, one of them being 1.
   */
  static int[] broadcastShape(int[] a, int[] b) {
    int[] out = new int[4];
    for (int k = 0; k < 4; k++) out[k] = Math.max(a[k], b[k]);
    return out;
  }

  /** Element strides of a contiguous 4-D input inside the output shape: 0 where it broadcasts. */
  static int[] broadcastStrides(int[] in) {
    int[] strides = new int[4];
    int stride = 1;
    for (int k = 3; k >= 0; k--) {
      strides[k] = in[k] == 1 ? 0 : stride;
      stride *= in[k];
    }
    return strides;
  }

  static float apply(int op, float a, float b) {
    return switch (op) {
      case 0 -> a + b;
      case 1 -> a - b;
      case 2 -> a * b;
      case 3 -> a / b;
      default -> throw new IllegalArgumentException("op " + op);
    };
  }

  /**
   * The reference: y[i0,i1,i2,i3] = a[i mod a's shape] OP b[i mod b's shape], walking the output in
   * order.
   */
  static float[] reference(int op, float[] a, int[] as, float[] b, int[] bs, int[] ys) {
    float[] y = new float[ys[0] * ys[1] * ys[2] * ys[3]];
    int i = 0;
    for (int i0 = 0; i0 < ys[0]; i0++) {
      for (int i1 = 0; i1 < ys[1]; i1++) {
        for (int i2 = 0; i2 < ys[2]; i2++) {
          for (int i3 = 0; i3 < ys[3]; i3++) {
            int ai = ((i0 % as[0] * as[1] + i1 % as[1]) * as[2] + i2 % as[2]) * as[3] + i3 % as[3];
            int bi = ((i0 % bs[0] * bs[1] + i1 % bs[1]) * bs[2] + i2 % bs[2]) * bs[3] + i3 % bs[3];
            y[i++] = apply(op, a[ai], b[bi]);
          }
        }
      }
    }
    return y;
  }

  private float[] run(
      int op, float[] a, int[] as, float[] b, int[] bs, int[] ys, int blocks, int threads) {
    int n = ys[0] * ys[1] * ys[2] * ys[3];
    int[] sa = broadcastStrides(as);
    int[] sb = broadcastStrides(bs);
    try (DeviceBuffer ab = device.toDevice(a);
        DeviceBuffer bb = device.toDevice(b);
        DeviceBuffer yb = device.allocateFloats(n)) {
      KernelArgs args = new KernelArgs().ptr(ab).ptr(bb).ptr(yb).i32(op);
      for (int d : ys) args.i32(d);
      for (int s : sa) args.i32(s);
      for (int s : sb) args.i32(s);
      device.launch("broadcast_binary", Dim3.of(blocks), Dim3.of(threads), 0, args);
      return device.copyToHostFloats(yb, n);
    }
  }

  /** Values in [0.5, 2) of random sign: safe divisors. */
  private static float[] awayFromZero(Random rng, int n) {
    float[] v = DeviceTesting.uniform(rng, n, 0.5f, 2f);
    for (int i = 0; i < n; i++) if (rng.nextBoolean()) v[i] = -v[i];
    return v;
  }

  private static int size(int[] shape) {
    return Arrays.stream(shape).reduce(1, (p, d) -> p * d);
  }

  @Test
  void everyOpMatchesTheReferenceForBroadcastingShapes() {
    Random rng = new Random(41);
    int[][][] cases = { // a shape, b shape (ONNX ranks; right-aligned)
      {{2, 3, 4, 5}, {2, 3, 4, 5}}, {{2, 3, 4, 5}, {5}}, {{2, 1, 4, 1}, {3, 1, 5}}, {{1}, {3, 7}},
      {{6, 1}, {1, 7}}, {{257}, {257}}, {{3, 1, 1, 2}, {1, 4, 5, 1}}, {{2, 3, 1}, {1}}
    };
    for (int[][] c : cases) {
      int[] as = as4d(c[0]);
      int[] bs = as4d(c[1]);
      int[] ys = broadcastShape(as, bs);
      for (int op = 0; op < OPS.length; op++) {
        float[] a = DeviceTesting.uniform(rng, size(as), -3f, 3f);
        float[] b = awayFromZero(rng, size(bs));
        int n = size(ys);
        int threads = 128;
        int blocks = Math.min((n + threads - 1) / threads, 8);
        String what = OPS[op] + " " + Arrays.toString(c[0]) + " with " + Arrays.toString(c[1]);
        assertClose(
            reference(op, a, as, b, bs, ys),
            run(op, a, as, b, bs, ys, blocks, threads),
            1e-6,
            0,
            what);
      }
    }
  }

  @Test
  void gridStrideLoopCoversOutputsBeyondTheGrid() {
    Random rng = new Random(42);
    int[] as = as4d(new int[] {4, 5, 6, 7});
    int[] bs = as4d(new int[] {5, 1, 7});
    int[] ys = broadcastShape(as, bs);
    float[] a = DeviceTesting.uniform(rng, size(as), -1f, 1f);
    float[] b = DeviceTesting.uniform(rng, size(bs), -1f, 1f);
    float[] expected = reference(2, a, as, b, bs, ys);
    assertClose(
        expected, run(2, a, as, b, bs, ys, 2, 64), 1e-6, 0, "mul, 840 outputs, 128 threads");
  }

  @Test
  void unknownOpCodeWritesNaN() {
    int[] shape = as4d(new int[] {10});
    float[] y = run(7, new float[10], shape, new float[10], shape, shape, 1, 32);
    for (float v : y) assertTrue(Float.isNaN(v), "unknown op wrote " + v);
  }
}
