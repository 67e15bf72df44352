package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.Dim3;
import org.featviz.device.KernelArgs;
import org.featviz.ops.SpatialWindow;
import org.featviz.ops.UnaryFunction;

/**
 * Typed launchers of the custom kernels in {@code cuda/arithmetic.cu}, {@code cuda/layout.cu},
 * {@code cuda/pointwise.cu}, {@code cuda/normalize.cu} and {@code cuda/pool.cu}: argument packing
 * and launch geometry in one place, shared by the plan's steps and the kernel tests (which run them
 * on the emulator and, tagged gpu, on a GPU). Shapes of up to 6 dimensions are passed
 * right-aligned, padded with leading 1s. Every launcher does nothing for zero elements (CUDA
 * rejects an empty grid). Gradient launchers take {@code accumulate}: false overwrites the
 * destination, true adds to it.
 */
public final class CustomKernels {
  /** The most dimensions the N-d kernels take. */
  public static final int MAX_RANK = 6;

  /** Threads per block of the element-wise kernels, and the most blocks of a grid-stride launch. */
  static final int BLOCK = 256;

  static final int MAX_BLOCKS = 4096;

  /** From this many terms per gradient element on, a block (not a thread) sums them. */
  static final int REDUCE_BY_BLOCK_FROM = 64;

  /**
   * ONNX Add, Sub, Mul, Div, two-input Max, Min and PRelu (a = x, b = slope): the op codes of
   * cuda/arithmetic.cu.
   */
  public enum ArithmeticOp {
    ADD,
    SUB,
    MUL,
    DIV,
    MAX,
    MIN,
    PRELU;

    int code() {
      return ordinal();
    }
  }

  /** Pad's modes, as cuda/layout.cu numbers them. */
  public enum PadMode {
    CONSTANT,
    REFLECT,
    EDGE,
    WRAP;

    int code() {
      return ordinal();
    }
  }

  /** ReduceSum, ReduceMean, ReduceMax: the op codes of cuda/reduce.cu's axis reductions. */
  public enum ReduceOp {
    SUM,
    MEAN,
    MAX;

    int code() {
      return ordinal();
    }
  }

  /** The pooling modes of cuda/pool.cu, in its numbering. */
  public enum PoolMode {
    MAX,
    AVERAGE_EXCLUDE_PAD,
    AVERAGE_INCLUDE_PAD;

    int code() {
      return ordinal();
    }
  }

  private CustomKernels() {}

  /**
   * A grid-stride launch over n elements: small blocks for small n (the emulator runs every thread
   * it is given).
   */
  private static void launch(Device device, String kernel, long n, KernelArgs args) {
    int threads = (int) Math.min(BLOCK, Math.max(32, (n + 31) / 32 * 32));
    int blocks = (int) Math.min(MAX_BLOCKS, (n + threads - 1) / threads);
    device.launch(kernel, Dim3.of(blocks), Dim3.of(threads), 0, args);
  }

  private static int flag(boolean b) {
    return b ? 1 : 0;
  }

  /** v right-aligned into 6 entries, the rest filled with {@code fill}. */
  public static int[] rightAligned(int[] v, int fill) {
    if (v.length > MAX_RANK) {
      throw new IllegalArgumentException("at most " + MAX_RANK + " dimensions, got " + v.length);
    }
    int[] r = new int[MAX_RANK];
    java.util.Arrays.fill(r, 0, MAX_RANK - v.length, fill);
    System.arraycopy(v, 0, r, MAX_RANK - v.length, v.length);
    return r;
  }

  private static long product(int[] dims) {
    long p = 1;
    for (int d : dims) p *= d;
    return p;
  }

  private static KernelArgs ints(KernelArgs args, int[] values) {
    for (int v : values) args.i32(v);
    return args;
  }

  // ---- cuda/arithmetic.cu
  // ---------------------------------------------------------------------------------------

  /**
   * The output dims and both operands' strides in output coordinates (0 where an operand
   * broadcasts), each with 6 entries: see {@link BroadcastGeometry}.
   */
  public static void arithmeticForward(
      Device device,
      ArithmeticOp op,
      DeviceBuffer a,
      DeviceBuffer b,
      DeviceBuffer y,
      BroadcastGeometry g) {
    long n = product(g.dims());
    if (n == 0) return;
    KernelArgs args = new KernelArgs().ptr(a).ptr(b).ptr(y).i32(op.code());
    ints(ints(ints(args, g.dims()), g.aStrides()), g.bStrides());
    launch(device, "arithmetic_forward", n, args);
  }

  /**
   * dx = scale * (gradient of operand {@code wrt} (0 a, 1 b), summed over its broadcast dimensions)
   * (+ dx). One thread per dx element where each sums few terms, one block per element where each
   * sums {@link #REDUCE_BY_BLOCK_FROM} or more.
   */
  public static void arithmeticBackward(
      Device device,
      ArithmeticOp op,
      int wrt,
      DeviceBuffer dy,
      DeviceBuffer a,
      DeviceBuffer b,
      DeviceBuffer dx,
      BroadcastGeometry g,
      boolean accumulate,
      float scale) {
    int[] xs = wrt == 0 ? g.aStrides() : g.bStrides();
    long count = 1;
    long reduced = 1;
    for (int k = 0; k < MAX_RANK; k++) {
      if (xs[k] == 0) reduced *= g.dims()[k];
      else count *= g.dims()[k];
    }
    if (count == 0 || product(g.dims()) == 0) {
      if (count > 0 && !accumulate) device.memsetZero(dx, 0, count * Float.BYTES);
      return;
    }
    KernelArgs args =
        new KernelArgs()
            .ptr(dy)
            .ptr(a)
            .ptr(b)
            .ptr(dx)
            .i32(op.code())
            .i32(wrt)
            .i32((int) count)
            .i32(flag(accumulate))
            .f32(scale);
    ints(ints(ints(args, g.dims()), g.aStrides()), g.bStrides());
    if (reduced < REDUCE_BY_BLOCK_FROM) {
      launch(device, "arithmetic_backward", count, args);
    } else {
      int threads = (int) Math.min(BLOCK, (reduced + 31) / 32 * 32);
      int blocks = (int) Math.min(MAX_BLOCKS, count);
      device.launch("arithmetic_backward_reduce", Dim3.of(blocks), Dim3.of(threads), 0, args);
    }
  }

  // ---- cuda/layout.cu
  // -------------------------------------------------------------------------------------------

  /** y[o, offset + j] = x[o, j] for x [outer, row] inside y [outer, outRow]. */
  public static void concatForward(
      Device device, DeviceBuffer x, DeviceBuffer y, int outer, int row, int outRow, int offset) {
    long n = (long) outer * row;
    if (n == 0) return;
    launch(
        device,
        "concat_forward",
        n,
        new KernelArgs().ptr(x).ptr(y).i32(outer).i32(row).i32(outRow).i32(offset));
  }

  /** dx[o, j] = dy[o, offset + j] (+ dx). */
  public static void concatBackward(
      Device device,
      DeviceBuffer dy,
      DeviceBuffer dx,
      int outer,
      int row,
      int outRow,
      int offset,
      boolean accumulate) {
    long n = (long) outer * row;
    if (n == 0) return;
    launch(
        device,
        "concat_backward",
        n,
        new KernelArgs()
            .ptr(dy)
            .ptr(dx)
            .i32(outer)
            .i32(row)
            .i32(outRow)
            .i32(offset)
            .i32(flag(accumulate)));
  }

  /**
   * y = x with its dimensions permuted: y's dims are {@code outDims}, and walking y's dimension k
   * moves through x by {@code sourceStrides[k]} (x's contiguous stride of the dimension that k
   * comes from). Both have the same rank.
   */
  public static void transpose(
      Device device,
      DeviceBuffer x,
      DeviceBuffer y,
      int[] outDims,
      int[] sourceStrides,
      boolean accumulate) {
    long n = product(outDims);
    if (n == 0) return;
    KernelArgs args = new KernelArgs().ptr(x).ptr(y).i32(flag(accumulate));
    ints(ints(args, rightAligned(outDims, 1)), rightAligned(sourceStrides, 0));
    launch(device, "transpose_nd", n, args);
  }

  /**
   * y (dims yDims) = x (dims xDims) padded by begin[k] before each axis, in the given mode;
   * constant mode reads the fill value from {@code value} (one float in device memory).
   */
  public static void padForward(
      Device device,
      DeviceBuffer x,
      DeviceBuffer y,
      PadMode mode,
      DeviceBuffer value,
      int[] xDims,
      int[] begin,
      int[] yDims) {
    long n = product(yDims);
    if (n == 0) return;
    KernelArgs args = new KernelArgs().ptr(x).ptr(y).i32(mode.code()).ptr(value);
    ints(ints(ints(args, rightAligned(xDims, 1)), rightAligned(begin, 0)), rightAligned(yDims, 1));
    launch(device, "pad_forward", n, args);
  }

  /** The gradient of a constant-mode pad: dx = the slice of dy that x occupies (+ dx). */
  public static void padBackwardConstant(
      Device device,
      DeviceBuffer dy,
      DeviceBuffer dx,
      int[] xDims,
      int[] begin,
      int[] yDims,
      boolean accumulate) {
    long n = product(xDims);
    if (n == 0) return;
    KernelArgs args = new KernelArgs().ptr(dy).ptr(dx).i32(flag(accumulate));
    ints(ints(ints(args, rightAligned(xDims, 1)), rightAligned(begin, 0)), rightAligned(yDims, 1));
    launch(device, "pad_backward_constant", n, args);
  }

  /**
   * Gather with constant indices: y [outer, index count, inner] = x [outer, axisDim, inner] at the
   * rows {@code index} holds (whole floats in [0, axisDim), on the device).
   */
  public static void gatherForward(
      Device device,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer index,
      int outer,
      int axisDim,
      int count,
      int inner) {
    long n = (long) outer * count * inner;
    if (n == 0) return;
    launch(
        device,
        "gather_forward",
        n,
        new KernelArgs().ptr(x).ptr(y).ptr(index).i32(outer).i32(axisDim).i32(count).i32(inner));
  }

  /** dx [outer, axisDim, inner] = dy summed back at the rows read (+ dx); rows not read get 0. */
  public static void gatherBackward(
      Device device,
      DeviceBuffer dy,
      DeviceBuffer dx,
      DeviceBuffer index,
      int outer,
      int axisDim,
      int count,
      int inner,
      boolean accumulate) {
    long n = (long) outer * axisDim * inner;
    if (n == 0) return;
    launch(
        device,
        "gather_backward",
        n,
        new KernelArgs()
            .ptr(dy)
            .ptr(dx)
            .ptr(index)
            .i32(outer)
            .i32(axisDim)
            .i32(count)
            .i32(inner)
            .i32(flag(accumulate)));
  }

  // ---- cuda/reduce.cu
  // -------------------------------------------------------------------------------------------

  /** The reduced axes of x (dims {@code xDims}), right-aligned into cuda/reduce.cu's bit mask. */
  private static int reduceMask(int[] xDims, boolean[] reduced) {
    int mask = 0;
    for (int k = 0; k < reduced.length; k++)
      if (reduced[k]) mask |= 1 << (MAX_RANK - xDims.length + k);
    return mask;
  }

  /** y = the sum, mean or maximum of x over the reduced axes (y holds x's kept elements). */
  public static void reduceAxesForward(
      Device device, ReduceOp op, DeviceBuffer x, DeviceBuffer y, int[] xDims, boolean[] reduced) {
    long n = 1;
    long group = 1;
    for (int k = 0; k < xDims.length; k++) {
      if (reduced[k]) group *= xDims[k];
      else n *= xDims[k];
    }
    if (n == 0 || group == 0) return;
    KernelArgs args = new KernelArgs().ptr(x).ptr(y).i32(op.code());
    ints(args, rightAligned(xDims, 1)).i32(reduceMask(xDims, reduced));
    launch(device, "reduce_axes_forward", n, args);
  }

  /**
   * dx = dy spread over each group (sum), divided by the group size (mean), or at the group's first
   * maximum only (max, which reads x); + dx where accumulating.
   */
  public static void reduceAxesBackward(
      Device device,
      ReduceOp op,
      DeviceBuffer x,
      DeviceBuffer dy,
      DeviceBuffer dx,
      int[] xDims,
      boolean[] reduced,
      boolean accumulate) {
    long n = product(xDims);
    if (n == 0) return;
    KernelArgs args = new KernelArgs().ptr(x).ptr(dy).ptr(dx).i32(op.code()).i32(flag(accumulate));
    ints(args, rightAligned(xDims, 1)).i32(reduceMask(xDims, reduced));
    launch(device, "reduce_axes_backward", n, args);
  }

  // ---- cuda/pointwise.cu
  // ----------------------------------------------------------------------------------------

  public static void leakyReluForward(
      Device device, DeviceBuffer x, DeviceBuffer y, int n, float alpha) {
    if (n == 0) return;
    launch(device, "leaky_relu_forward", n, new KernelArgs().ptr(x).ptr(y).i32(n).f32(alpha));
  }

  public static void leakyReluBackward(
      Device device,
      DeviceBuffer x,
      DeviceBuffer dy,
      DeviceBuffer dx,
      int n,
      float alpha,
      boolean accumulate) {
    if (n == 0) return;
    launch(
        device,
        "leaky_relu_backward",
        n,
        new KernelArgs().ptr(x).ptr(dy).ptr(dx).i32(n).f32(alpha).i32(flag(accumulate)));
  }

  /** A block per group of a group-wise normalization: up to BLOCK threads, no more than needed. */
  private static void launchPerGroup(
      Device device, String kernel, int groups, int size, KernelArgs args) {
    int threads = Math.min(BLOCK, Math.max(32, (size + 31) / 32 * 32));
    device.launch(kernel, Dim3.of(Math.min(MAX_BLOCKS, groups)), Dim3.of(threads), 0, args);
  }

  /**
   * InstanceNormalization of x [groups / channels, channels, size] by scale and bias [channels].
   */
  public static void instanceNormForward(
      Device device,
      DeviceBuffer x,
      DeviceBuffer scale,
      DeviceBuffer bias,
      DeviceBuffer y,
      int groups,
      int channels,
      int size,
      float epsilon) {
    if (groups == 0 || size == 0) return;
    launchPerGroup(
        device,
        "instance_norm_forward",
        groups,
        size,
        new KernelArgs()
            .ptr(x)
            .ptr(scale)
            .ptr(bias)
            .ptr(y)
            .i32(groups)
            .i32(channels)
            .i32(size)
            .f32(epsilon));
  }

  /** InstanceNormalization's gradient of x (+ dx), the statistics recomputed from x. */
  public static void instanceNormBackward(
      Device device,
      DeviceBuffer x,
      DeviceBuffer scale,
      DeviceBuffer dy,
      DeviceBuffer dx,
      int groups,
      int channels,
      int size,
      float epsilon,
      boolean accumulate) {
    if (groups == 0 || size == 0) return;
    launchPerGroup(
        device,
        "instance_norm_backward",
        groups,
        size,
        new KernelArgs()
            .ptr(x)
            .ptr(scale)
            .ptr(dy)
            .ptr(dx)
            .i32(groups)
            .i32(channels)
            .i32(size)
            .f32(epsilon)
            .i32(flag(accumulate)));
  }

  /**
   * Resize along one axis: x [outer, inLen, inner] to y [outer, outLen, inner] by the taps (four
   * rows of outLen floats: i0, i1, w0, w1).
   */
  public static void resampleForward(
      Device device,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer taps,
      int outer,
      int inLen,
      int outLen,
      int inner) {
    long n = (long) outer * outLen * inner;
    if (n == 0) return;
    launch(
        device,
        "resample_forward",
        n,
        new KernelArgs().ptr(x).ptr(y).ptr(taps).i32(outer).i32(inLen).i32(outLen).i32(inner));
  }

  /** The gradient of {@link #resampleForward} (+ dx where accumulating). */
  public static void resampleBackward(
      Device device,
      DeviceBuffer dy,
      DeviceBuffer dx,
      DeviceBuffer taps,
      int outer,
      int inLen,
      int outLen,
      int inner,
      boolean accumulate) {
    long n = (long) outer * inLen * inner;
    if (n == 0) return;
    launch(
        device,
        "resample_backward",
        n,
        new KernelArgs()
            .ptr(dy)
            .ptr(dx)
            .ptr(taps)
            .i32(outer)
            .i32(inLen)
            .i32(outLen)
            .i32(inner)
            .i32(flag(accumulate)));
  }

  /** LogSoftmax of x seen as [outer, length, inner] along the middle axis. */
  public static void logSoftmaxForward(
      Device device, DeviceBuffer x, DeviceBuffer y, int outer, int length, int inner) {
    long groups = (long) outer * inner;
    if (groups == 0 || length == 0) return;
    launch(
        device,
        "log_softmax_forward",
        groups,
        new KernelArgs().ptr(x).ptr(y).i32(outer).i32(length).i32(inner));
  }

  /** dx = dy - exp(y) (sum of dy over the group) (+ dx). */
  public static void logSoftmaxBackward(
      Device device,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      int outer,
      int length,
      int inner,
      boolean accumulate) {
    long groups = (long) outer * inner;
    if (groups == 0 || length == 0) return;
    launch(
        device,
        "log_softmax_backward",
        groups,
        new KernelArgs()
            .ptr(y)
            .ptr(dy)
            .ptr(dx)
            .i32(outer)
            .i32(length)
            .i32(inner)
            .i32(flag(accumulate)));
  }

  /** y = f(x) for the {@link UnaryFunction} f with parameters p and q. */
  public static void unaryForward(
      Device device, UnaryFunction f, DeviceBuffer x, DeviceBuffer y, int n, float p, float q) {
    if (n == 0) return;
    launch(
        device,
        "unary_forward",
        n,
        new KernelArgs().ptr(x).ptr(y).i32(n).i32(f.code()).f32(p).f32(q));
  }

  /** dx = dy f'(x) (+ dx). */
  public static void unaryBackward(
      Device device,
      UnaryFunction f,
      DeviceBuffer x,
      DeviceBuffer dy,
      DeviceBuffer dx,
      int n,
      float p,
      float q,
      boolean accumulate) {
    if (n == 0) return;
    launch(
        device,
        "unary_backward",
        n,
        new KernelArgs()
            .ptr(x)
            .ptr(dy)
            .ptr(dx)
            .i32(n)
            .i32(f.code())
            .f32(p)
            .f32(q)
            .i32(flag(accumulate)));
  }

  /** y = min(max(x, lo), hi) with the bounds read from device memory (one float each). */
  public static void clipForward(
      Device device, DeviceBuffer x, DeviceBuffer y, int n, DeviceBuffer lo, DeviceBuffer hi) {
    if (n == 0) return;
    launch(device, "clip_forward", n, new KernelArgs().ptr(x).ptr(y).i32(n).ptr(lo).ptr(hi));
  }

  /** {@code dx = dy} where {@code lo < x < hi}, else 0 (+ dx). */
  public static void clipBackward(
      Device device,
      DeviceBuffer x,
      DeviceBuffer dy,
      DeviceBuffer dx,
      int n,
      DeviceBuffer lo,
      DeviceBuffer hi,
      boolean accumulate) {
    if (n == 0) return;
    launch(
        device,
        "clip_backward",
        n,
        new KernelArgs().ptr(x).ptr(dy).ptr(dx).i32(n).ptr(lo).ptr(hi).i32(flag(accumulate)));
  }

  /**
   * Inference batch normalization, y = (x - mean[c]) a[c] + bias[c] with a[c] = scale[c] /
   * sqrt(var[c] + epsilon), channel c = (i / inner) % channels.
   */
  public static void batchNormForward(
      Device device,
      DeviceBuffer x,
      DeviceBuffer scale,
      DeviceBuffer bias,
      DeviceBuffer mean,
      DeviceBuffer var,
      DeviceBuffer y,
      int n,
      int channels,
      int inner,
      float epsilon) {
    if (n == 0) return;
    launch(
        device,
        "batch_norm_forward",
        n,
        new KernelArgs()
            .ptr(x)
            .ptr(scale)
            .ptr(bias)
            .ptr(mean)
            .ptr(var)
            .ptr(y)
            .i32(n)
            .i32(channels)
            .i32(inner)
            .f32(epsilon));
  }

  /** dx = dy a[c] (+ dx). */
  public static void batchNormBackward(
      Device device,
      DeviceBuffer dy,
      DeviceBuffer scale,
      DeviceBuffer var,
      DeviceBuffer dx,
      int n,
      int channels,
      int inner,
      float epsilon,
      boolean accumulate) {
    if (n == 0) return;
    launch(
        device,
        "batch_norm_backward",
        n,
        new KernelArgs()
            .ptr(dy)
            .ptr(scale)
            .ptr(var)
            .ptr(dx)
            .i32(n)
            .i32(channels)
            .i32(inner)
            .f32(epsilon)
            .i32(flag(accumulate)));
  }

  // ---- cuda/normalize.cu
  // ------------------------------------------------------------------------------------------

  /** LayerNormalization's statistics that layer_norm_statistic writes, in its numbering. */
  public enum LayerNormStatistic {
    MEAN,
    INV_STD_DEV;

    int code() {
      return ordinal();
    }
  }

  /**
   * One block per row (at most {@link #MAX_BLOCKS}; blocks stride over the rest), threads for the
   * row's elements up to {@link #BLOCK}.
   */
  private static void launchRows(Device device, String kernel, int rows, int cols, KernelArgs a) {
    int threads = (int) Math.min(BLOCK, Math.max(32, (cols + 31L) / 32 * 32));
    device.launch(kernel, Dim3.of(Math.min(rows, MAX_BLOCKS)), Dim3.of(threads), 0, a);
  }

  /**
   * y [rows, cols] = LayerNormalization of each row of x: (x - mean) / sqrt(var + epsilon) scale +
   * bias, scale and bias [cols]; bias may be null (none).
   */
  public static void layerNormForward(
      Device device,
      DeviceBuffer x,
      DeviceBuffer scale,
      DeviceBuffer bias,
      DeviceBuffer y,
      int rows,
      int cols,
      float epsilon) {
    if ((long) rows * cols == 0) return;
    launchRows(
        device,
        "layer_norm_forward",
        rows,
        cols,
        new KernelArgs()
            .ptr(x)
            .ptr(scale)
            .ptr(bias == null ? scale : bias) // read only where has_bias
            .ptr(y)
            .i32(rows)
            .i32(cols)
            .f32(epsilon)
            .i32(flag(bias != null)));
  }

  /** out [rows] = each row's mean or inverse standard deviation 1 / sqrt(var + epsilon). */
  public static void layerNormStatistic(
      Device device,
      LayerNormStatistic which,
      DeviceBuffer x,
      DeviceBuffer out,
      int rows,
      int cols,
      float epsilon) {
    if ((long) rows * cols == 0) return;
    launchRows(
        device,
        "layer_norm_statistic",
        rows,
        cols,
        new KernelArgs().ptr(x).ptr(out).i32(rows).i32(cols).f32(epsilon).i32(which.code()));
  }

  /**
   * dx [rows, cols] = (or +=) the gradient with respect to x of one row statistic, from its
   * gradient d [rows].
   */
  public static void layerNormStatisticBackward(
      Device device,
      LayerNormStatistic which,
      DeviceBuffer x,
      DeviceBuffer d,
      DeviceBuffer dx,
      int rows,
      int cols,
      float epsilon,
      boolean accumulate) {
    if ((long) rows * cols == 0) return;
    launchRows(
        device,
        "layer_norm_statistic_backward",
        rows,
        cols,
        new KernelArgs()
            .ptr(x)
            .ptr(d)
            .ptr(dx)
            .i32(rows)
            .i32(cols)
            .f32(epsilon)
            .i32(which.code())
            .i32(flag(accumulate)));
  }

  /** dx [rows, cols] = (or +=) the gradient of LayerNormalization's Y with respect to x. */
  public static void layerNormBackward(
      Device device,
      DeviceBuffer x,
      DeviceBuffer scale,
      DeviceBuffer dy,
      DeviceBuffer dx,
      int rows,
      int cols,
      float epsilon,
      boolean accumulate) {
    if ((long) rows * cols == 0) return;
    launchRows(
        device,
        "layer_norm_backward",
        rows,
        cols,
        new KernelArgs()
            .ptr(x)
            .ptr(scale)
            .ptr(dy)
            .ptr(dx)
            .i32(rows)
            .i32(cols)
            .f32(epsilon)
            .i32(flag(accumulate)));
  }

  // ---- cuda/pool.cu
  // ---------------------------------------------------------------------------------------------

  /**
   * y [planes, out...] = pooling of x [planes, in...] over {@code window} (ONNX's geometry:
   * dilations, asymmetric pads, ceil_mode's output size), as MaxPool or AveragePool compute it.
   */
  public static void poolForward(
      Device device,
      PoolMode mode,
      DeviceBuffer x,
      DeviceBuffer y,
      int planes,
      SpatialWindow window) {
    SpatialWindow w = window.to3d();
    long n = elements(planes, w.outputSize(), "pool_forward");
    if (n == 0) return;
    launch(
        device,
        "pool_forward",
        n,
        geometry(new KernelArgs().ptr(x).ptr(y).i32(planes).i32(mode.code()), w));
  }

  /**
   * dx [planes, in...] = (or += with accumulate) the gradient of {@link #poolForward} for dy; max
   * pooling reads x.
   */
  public static void poolBackward(
      Device device,
      PoolMode mode,
      DeviceBuffer x,
      DeviceBuffer dy,
      DeviceBuffer dx,
      int planes,
      SpatialWindow window,
      boolean accumulate) {
    SpatialWindow w = window.to3d();
    long n = elements(planes, w.inputSize(), "pool_backward");
    if (n == 0) return;
    KernelArgs args =
        new KernelArgs().ptr(x).ptr(dy).ptr(dx).i32(planes).i32(mode.code()).i32(flag(accumulate));
    launch(device, "pool_backward", n, geometry(args, w));
  }

  /** planes x perPlane, which the kernels index with 32-bit ints. */
  private static long elements(int planes, int perPlane, String kernel) {
    long n = (long) planes * perPlane;
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          kernel + ": " + planes + " planes of " + perPlane + " elements exceed 2^31");
    }
    return n;
  }

  /** The 3-D window's in, out, kernel, strides, dilations, pads before and after, 3 ints each. */
  private static KernelArgs geometry(KernelArgs args, SpatialWindow w) {
    for (int[] v :
        new int[][] {
          w.in(), w.out(), w.kernel(), w.strides(), w.dilations(), w.padBegin(), w.padEnd()
        }) {
      ints(args, v);
    }
    return args;
  }

  /** y += alpha bias[c], in place, channel c = (i / inner) % channels. */
  public static void biasAdd(
      Device device,
      DeviceBuffer y,
      DeviceBuffer bias,
      int n,
      int channels,
      int inner,
      float alpha) {
    if (n == 0) return;
    launch(
        device,
        "bias_add",
        n,
        new KernelArgs().ptr(y).ptr(bias).i32(n).i32(channels).i32(inner).f32(alpha));
  }
}
