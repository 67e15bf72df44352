package org.featviz.plan;

import java.util.Arrays;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.PoolDescriptor;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ops.ConvSpec;
import org.featviz.ops.ConvTransposeSpec;
import org.featviz.ops.OpContext;
import org.featviz.ops.PoolSpec;
import org.featviz.ops.SpatialWindow;
import org.featviz.plan.CustomKernels.ArithmeticOp;
import org.featviz.plan.CustomKernels.PadMode;

/**
 * The lowering of the windowed ops, Conv, MaxPool, AveragePool and GlobalAveragePool, to the device
 * library's convolution and pooling, for {@link Lowering}: ONNX's window geometry ({@link
 * SpatialWindow}, as the CPU reference reads it) becomes a descriptor with cuDNN's restrictions,
 * and what cuDNN cannot pad is padded explicitly first. A Conv fused with the Relu after it becomes
 * a {@link ConvBiasReluStep}.
 */
final class SpatialLowering {
  private final Lowering l;

  SpatialLowering(Lowering lowering) {
    this.l = lowering;
  }

  /**
   * ConvTranspose as the backward-data of the convolution from y's shape to x's. cuDNN pads both
   * sides alike: with unequal pads the step pads by the smaller on both sides and a crop (a
   * constant Pad by minus the offset) takes y out of the larger result.
   */
  void convTranspose(Node node) {
    ConvTransposeSpec.Geometry g = ConvTransposeSpec.geometry(l.context(node));
    DeviceValue x = l.in(node, 0);
    DeviceValue w = l.in(node, 1);
    DeviceValue b = l.optionalIn(node, 2);
    DeviceValue y = l.out(node, 0);
    int r = g.out().length;
    int[] pads = new int[r];
    int[] big = new int[r];
    int[] offset = new int[r + 2];
    boolean crop = false;
    for (int i = 0; i < r; i++) {
      pads[i] = Math.min(g.padBegin()[i], g.padEnd()[i]);
      big[i] = g.out()[i] + g.padBegin()[i] + g.padEnd()[i] - 2 * pads[i];
      offset[i + 2] = -(g.padBegin()[i] - pads[i]);
      crop |= big[i] != g.out()[i];
    }
    // 1-D as 2-D with H = 1, as Conv does.
    ConvDescriptor d =
        new ConvDescriptor(
            g.n(),
            g.m(),
            as2d(big, 1),
            g.c(),
            as2d(g.kernel(), 1),
            as2d(pads, 0),
            as2d(g.strides(), 1),
            as2d(g.dilations(), 1),
            g.groups());
    checkOutput(node, d.outputDims(), x);
    int[] bigDims = new int[r + 2];
    bigDims[0] = g.n();
    bigDims[1] = g.m();
    System.arraycopy(big, 0, bigDims, 2, r);
    DeviceValue target = crop ? l.intermediate(node, "uncropped", Shape.of(bigDims)) : y;
    l.add(new ConvTransposeStep(node, x, w, b, target, d, l.mixed()));
    if (crop) {
      DeviceValue zero = l.hostWeight(node, "value", new float[] {0f});
      l.add(new PadStep(node, target, zero, y, PadMode.CONSTANT, offset));
    }
  }

  void conv(Node node) {
    OpContext ctx = l.context(node);
    SpatialWindow win = ConvSpec.window(ctx);
    int groups = ConvSpec.group(ctx);
    DeviceValue x = l.in(node, 0);
    DeviceValue w = l.in(node, 1);
    DeviceValue b = l.optionalIn(node, 2);
    Node relu = l.reluAfter(node);
    DeviceValue y =
        relu == null ? l.out(node, 0) : l.out(relu, 0); // fused: the Relu's output (the same shape)
    if (win.rank() > 3) throw l.unsupported(node, "more than 3 spatial axes");
    int[] pads = win.padBegin();
    DeviceValue source = x;
    if (!Arrays.equals(win.padBegin(), win.padEnd())) {
      // cuDNN pads both sides alike: apply ONNX's asymmetric padding explicitly, then convolve
      // without padding.
      source = explicitPad(node, x, win.padBegin(), win.padEnd(), 0f);
      pads = new int[win.rank()];
    }
    Shape s = source.shape();
    int[] in = Arrays.copyOfRange(s.dims(), 2, s.rank());
    ConvDescriptor d =
        new ConvDescriptor(
            s.dim(0),
            s.dim(1),
            as2d(in, 1),
            w.shape().dim(0),
            as2d(win.kernel(), 1),
            as2d(pads, 0),
            as2d(win.strides(), 1),
            as2d(win.dilations(), 1),
            groups);
    checkOutput(node, d.outputDims(), y);
    if (relu == null) {
      l.add(new ConvStep(node, source, w, b, y, d, l.mixed()));
      return;
    }
    DeviceValue bias = b != null ? b : l.hostWeight(node, "zero-bias", new float[d.k()]);
    l.add(
        new ConvBiasReluStep(
            node,
            relu,
            source,
            w,
            bias,
            y,
            l.scratch(node, "relu-gradient", y.shape()),
            d,
            l.mixed()));
  }

  /**
   * MaxPool and AveragePool. Where cuDNN's pooling matches ONNX's (the same padding on both sides,
   * smaller than the window, no ceil_mode overhang) it is one pooling UnaryLibraryStep. Otherwise
   * the input is padded explicitly (minus infinity for max pooling, zeros for average pooling) by
   * the ONNX padding plus the overhang, pooled without padding, and an average is corrected per
   * output position by a Mul with K / count(o) (K the window size, count(o) the taps that ONNX
   * divides by: those inside the input, or with count_include_pad those inside the padded input),
   * which gives ONNX's average for every padding and rounding. What cuDNN cannot pool at all,
   * dilated windows and max pooling whose padding is as wide as the window, goes to the pool
   * kernels ({@link WindowPoolStep}).
   */
  void pool(Node node) {
    OpContext ctx = l.context(node);
    SpatialWindow win = PoolSpec.window(ctx);
    boolean max = node.opType().equals("MaxPool");
    boolean includePad = node.attributes().getInt("count_include_pad", 0) != 0;
    DeviceValue x = l.in(node, 0);
    DeviceValue y = l.out(node, 0);
    int rank = win.rank();
    if (rank > 3) throw l.unsupported(node, "more than 3 spatial axes");
    PoolDescriptor.Mode mode =
        max
            ? PoolDescriptor.Mode.MAX
            : includePad
                ? PoolDescriptor.Mode.AVERAGE_COUNT_INCLUDE_PAD
                : PoolDescriptor.Mode.AVERAGE_COUNT_EXCLUDE_PAD;
    for (int dil : win.dilations()) {
      if (dil != 1) {
        windowPool(node, x, y, mode, win); // cuDNN pools without dilation
        return;
      }
    }
    int[] k = win.kernel();
    int[] s = win.strides();
    int[] in = win.in();
    int[] out = win.out();
    int[] pb = win.padBegin();
    int[] pe = win.padEnd();
    // extra: how far ceil_mode's last window reaches past the end padding (floor rounding would
    // drop it).
    int[] end = new int[rank];
    boolean direct = true;
    for (int i = 0; i < rank; i++) {
      int extra = Math.max(0, (out[i] - 1) * s[i] + k[i] - (in[i] + pb[i] + pe[i]));
      end[i] = pe[i] + extra;
      // cuDNN pads both sides by pb; an include-pad average would count the overhang, which ONNX
      // does not.
      direct &= pb[i] == end[i] && pb[i] < k[i] && (max || !includePad || extra == 0);
    }
    if (direct) {
      l.add(new UnaryLibraryStep(node, x, y, poolDescriptor(node, mode, x, k, pb, s, y)));
      return;
    }
    for (int i = 0; max && i < rank; i++) {
      if (pb[i] >= k[i] || end[i] >= k[i]) {
        // A window could read padding only (ONNX gives 0 there, a -inf Pad would give -inf): the
        // pool kernel.
        windowPool(node, x, y, mode, win);
        return;
      }
    }
    DeviceValue padded = explicitPad(node, x, pb, end, max ? Float.NEGATIVE_INFINITY : 0f);
    int[] none = new int[rank];
    if (max) {
      l.add(
          new UnaryLibraryStep(node, padded, y, poolDescriptor(node, mode, padded, k, none, s, y)));
      return;
    }
    float[] factor = averageFactors(win, includePad);
    boolean allOne = true;
    for (float f : factor) allOne &= f == 1f;
    PoolDescriptor.Mode sum =
        PoolDescriptor.Mode.AVERAGE_COUNT_INCLUDE_PAD; // no padding left: divides by K
    if (allOne) {
      l.add(
          new UnaryLibraryStep(node, padded, y, poolDescriptor(node, sum, padded, k, none, s, y)));
      return;
    }
    DeviceValue pooled = l.intermediate(node, "pooled", y.shape());
    l.add(
        new UnaryLibraryStep(
            node, padded, pooled, poolDescriptor(node, sum, padded, k, none, s, y)));
    int[] fdims = y.shape().dims();
    fdims[0] = 1;
    fdims[1] = 1;
    DeviceValue f = l.hostWeight(node, "divisor", Shape.of(fdims), factor);
    l.add(new ArithmeticStep(node, pooled, f, y, ArithmeticOp.MUL));
  }

  /** Pooling by the kernels of cuda/pool.cu, on ONNX's window as it is (no explicit Pad). */
  private void windowPool(
      Node node, DeviceValue x, DeviceValue y, PoolDescriptor.Mode mode, SpatialWindow win) {
    CustomKernels.PoolMode m =
        switch (mode) {
          case MAX -> CustomKernels.PoolMode.MAX;
          case AVERAGE_COUNT_EXCLUDE_PAD -> CustomKernels.PoolMode.AVERAGE_EXCLUDE_PAD;
          case AVERAGE_COUNT_INCLUDE_PAD -> CustomKernels.PoolMode.AVERAGE_INCLUDE_PAD;
        };
    if (!win.outputShape(x.shape().dim(0), x.shape().dim(1)).equals(y.shape())) {
      throw l.unsupported(
          node,
          "the pool kernel's output "
              + win.outputShape(x.shape().dim(0), x.shape().dim(1))
              + " does not match the inferred shape "
              + y.shape());
    }
    l.add(new WindowPoolStep(node, x, y, m, win));
  }

  private PoolDescriptor poolDescriptor(
      Node node,
      PoolDescriptor.Mode mode,
      DeviceValue x,
      int[] k,
      int[] pads,
      int[] s,
      DeviceValue y) {
    Shape xs = x.shape();
    int[] spatial = Arrays.copyOfRange(xs.dims(), 2, xs.rank());
    PoolDescriptor d =
        new PoolDescriptor(
            mode, xs.dim(0), xs.dim(1), as2d(spatial, 1), as2d(k, 1), as2d(pads, 0), as2d(s, 1));
    checkOutput(node, d.outputDims(), y);
    return d;
  }

  /**
   * K / count(o) per output position o (row-major over the output's spatial axes): count(o) is the
   * number of taps of window o inside the input, or with count_include_pad inside the padded input
   * (taps in ceil_mode's overhang never count); 0 where nothing counts (the window then sums
   * zeros).
   */
  private static float[] averageFactors(SpatialWindow window, boolean includePad) {
    SpatialWindow w = window.to3d();
    int[] in = w.in();
    int[] out = w.out();
    int[] k = w.kernel();
    int[] s = w.strides();
    int[] pb = w.padBegin();
    int[] pe = w.padEnd();
    int total = w.kernelSize();
    float[] factor = new float[w.outputSize()];
    int o = 0;
    for (int od = 0; od < out[0]; od++) {
      for (int oh = 0; oh < out[1]; oh++) {
        for (int ow = 0; ow < out[2]; ow++) {
          int[] pos = {od, oh, ow};
          long count = 1;
          for (int a = 0; a < 3; a++) {
            int lo = includePad ? -pb[a] : 0;
            int hi = includePad ? in[a] + pe[a] : in[a];
            int first = pos[a] * s[a] - pb[a];
            count *= Math.max(0, Math.min(hi, first + k[a]) - Math.max(lo, first));
          }
          factor[o++] = count == 0 ? 0f : (float) total / count;
        }
      }
    }
    return factor;
  }

  void globalAveragePool(Node node) {
    DeviceValue x = l.in(node, 0);
    DeviceValue y = l.out(node, 0);
    Shape s = x.shape();
    if (s.rank() > 5) throw l.unsupported(node, "more than 3 spatial axes");
    int[] spatial = as2d(Arrays.copyOfRange(s.dims(), 2, s.rank()), 1);
    int[] ones = new int[spatial.length];
    Arrays.fill(ones, 1);
    PoolDescriptor d =
        new PoolDescriptor(
            PoolDescriptor.Mode.AVERAGE_COUNT_INCLUDE_PAD,
            s.dim(0),
            s.dim(1),
            spatial,
            spatial,
            new int[spatial.length],
            ones);
    l.add(new UnaryLibraryStep(node, x, y, d));
  }

  /**
   * A PadStep before the op: x padded by begin/end per spatial axis (N and C untouched) with a
   * constant.
   */
  private DeviceValue explicitPad(Node node, DeviceValue x, int[] begin, int[] end, float value) {
    Shape s = x.shape();
    int[] dims = s.dims();
    int[] fullBegin = new int[s.rank()];
    for (int i = 0; i < begin.length; i++) {
      fullBegin[i + 2] = begin[i];
      dims[i + 2] += begin[i] + end[i];
    }
    DeviceValue padded = l.intermediate(node, "padded", Shape.of(dims));
    DeviceValue fill = l.hostWeight(node, "pad-value", new float[] {value});
    l.add(new PadStep(node, x, fill, padded, PadMode.CONSTANT, fullBegin));
    return padded;
  }

  /** 1-D windows as 2-D ones with a leading unit axis (cuDNN works on 2 or 3 spatial axes). */
  private static int[] as2d(int[] v, int fill) {
    if (v.length >= 2) return v.clone();
    int[] r = new int[2];
    r[0] = fill;
    r[1] = v.length == 1 ? v[0] : fill;
    return r;
  }

  /**
   * The library's output dims (1-D ones with their unit axis) must be the inferred output shape.
   */
  private void checkOutput(Node node, int[] planned, DeviceValue y) {
    int[] dims =
        planned.length == y.shape().rank() + 1
            ? java.util.stream.IntStream.concat(
                    Arrays.stream(planned, 0, 2), Arrays.stream(planned, 3, planned.length))
                .toArray()
            : planned;
    if (!Shape.of(dims).equals(y.shape())) {
      throw l.unsupported(
          node,
          "the device library's output "
              + Arrays.toString(planned)
              + " does not match"
              + " the inferred shape "
              + y.shape());
    }
  }
}
