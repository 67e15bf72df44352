package org.featviz.cpu;

import java.util.Arrays;
import org.featviz.ops.PoolSpec;
import org.featviz.ops.SpatialWindow;

/**
 * The pooling windows of one MaxPool or AveragePool call, listed once: for each output position o
 * of a (D x H x W) plane, the input offsets it reads, in window order (kd, kh, kw), taps in the
 * padding left out; and how many of its taps lie inside the padded input (the divisor of
 * AveragePool with count_include_pad; taps that ceil_mode pushes past the end padding do not count,
 * as in PyTorch and the ONNX reference).
 */
final class PoolWindows {
  /**
   * What a pooling computes over one plane, whose first elements are xBase and yBase: its loop over
   * the output positions is the caller's, so that the JIT compiles each kernel's loop body inline
   * (one call per output position through an interface that several kernels implement, which the
   * JIT cannot inline).
   */
  interface Plane {
    void at(int xBase, int yBase);
  }

  /** Elements of one input plane and of one output plane. */
  final int inPlane;

  final int outPlane;

  /** Output o reads offsets[begin[o]] .. offsets[begin[o + 1] - 1] of its input plane. */
  final int[] begin;

  final int[] offsets;

  /** Taps of output o inside [-padBegin, in + padEnd) on every axis. */
  final int[] paddedCount;

  PoolWindows(SpatialWindow window) {
    SpatialWindow w = window.to3d();
    int[] in = w.in();
    int[] out = w.out();
    int[] k = w.kernel();
    int[] s = w.strides();
    int[] d = w.dilations();
    int[] p = w.padBegin();
    int[] pe = w.padEnd();
    inPlane = w.inputSize();
    outPlane = w.outputSize();
    begin = new int[outPlane + 1];
    paddedCount = new int[outPlane];
    int[] list = new int[outPlane * w.kernelSize()];
    int used = 0;
    int o = 0;
    for (int od = 0; od < out[0]; od++) {
      for (int oh = 0; oh < out[1]; oh++) {
        for (int ow = 0; ow < out[2]; ow++) {
          begin[o] = used;
          for (int kd = 0; kd < k[0]; kd++) {
            int id = od * s[0] - p[0] + kd * d[0];
            for (int kh = 0; kh < k[1]; kh++) {
              int ih = oh * s[1] - p[1] + kh * d[1];
              for (int kw = 0; kw < k[2]; kw++) {
                int iw = ow * s[2] - p[2] + kw * d[2];
                if (inside(id, in[0], 0, 0) && inside(ih, in[1], 0, 0) && inside(iw, in[2], 0, 0)) {
                  list[used++] = (id * in[1] + ih) * in[2] + iw;
                }
                if (inside(id, in[0], p[0], pe[0])
                    && inside(ih, in[1], p[1], pe[1])
                    && inside(iw, in[2], p[2], pe[2])) {
                  paddedCount[o]++;
                }
              }
            }
          }
          o++;
        }
      }
    }
    begin[outPlane] = used;
    offsets = Arrays.copyOf(list, used);
  }

  /** The windows of a MaxPool or AveragePool call. */
  static PoolWindows of(KernelCall c) {
    return new PoolWindows(PoolSpec.window(c.context()));
  }

  /**
   * Runs {@code body} for every (n, c) plane of x, planes in parallel (a backward adds into its own
   * plane of dx only).
   */
  void forEachPlane(KernelCall c, Plane body) {
    int planes = c.in(0).shape().size(0, 2);
    Parallel.range(planes, offsets.length, plane -> body.at(plane * inPlane, plane * outPlane));
  }

  private static boolean inside(int i, int size, int padBegin, int padEnd) {
    return i >= -padBegin && i < size + padEnd;
  }
}
