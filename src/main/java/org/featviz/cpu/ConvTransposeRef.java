package org.featviz.cpu;

import org.featviz.ops.ConvTransposeSpec;

/**
 * ConvTranspose (1 to 3 spatial axes) by its definition: each x pixel adds its value times the
 * kernel into y at stride s (sums in double), then the bias. Backward: dx[n, c, i] = sum over the
 * taps t and the output channels m of c's group of dy[n, m, i s - pb + t d] w[c, m, t] (weights are
 * frozen).
 */
final class ConvTransposeRef implements CpuKernel {
  @Override
  public void forward(KernelCall call) {
    ConvTransposeSpec.Geometry g = ConvTransposeSpec.geometry(call.context());
    float[] x = call.in(0).data();
    float[] w = call.in(1).data();
    float[] y = call.out(0).data();
    double[] acc = new double[y.length];
    walk(g, (xi, wi, yi) -> acc[yi] += (double) x[xi] * w[wi]);
    int plane = 1;
    for (int o : g.out()) plane *= o;
    float[] b = call.hasInput(2) ? call.in(2).data() : null;
    for (int i = 0; i < y.length; i++)
      y[i] = (float) (acc[i] + (b == null ? 0 : b[(i / plane) % g.m()]));
  }

  @Override
  public void backward(KernelCall call) {
    if (call.gradOut(0) == null || call.gradIn(0) == null) return;
    ConvTransposeSpec.Geometry g = ConvTransposeSpec.geometry(call.context());
    float[] w = call.in(1).data();
    float[] dy = call.gradOut(0).data();
    float[] dx = call.gradIn(0).data();
    double[] acc = new double[dx.length];
    walk(g, (xi, wi, yi) -> acc[xi] += (double) dy[yi] * w[wi]);
    for (int i = 0; i < dx.length; i++) dx[i] += (float) acc[i];
  }

  private interface Tap {
    void at(int xi, int wi, int yi);
  }

  /** v with leading {@code fill}s up to 3 entries (fewer spatial axes as 3-D ones). */
  private static int[] as3d(int[] v, int fill) {
    int[] r = {fill, fill, fill};
    System.arraycopy(v, 0, r, 3 - v.length, v.length);
    return r;
  }

  /** Every (x element, weight element, y element) that the definition multiplies together. */
  private static void walk(ConvTransposeSpec.Geometry g, Tap tap) {
    int cg = g.c() / g.groups();
    int mg = g.m() / g.groups();
    int[] in = as3d(g.in(), 1);
    int[] k = as3d(g.kernel(), 1);
    int[] out = as3d(g.out(), 1);
    int[] s = as3d(g.strides(), 1);
    int[] p = as3d(g.padBegin(), 0);
    int[] d = as3d(g.dilations(), 1);
    int inPlane = in[0] * in[1] * in[2];
    int kPlane = k[0] * k[1] * k[2];
    int outPlane = out[0] * out[1] * out[2];
    for (int n = 0; n < g.n(); n++)
      for (int c = 0; c < g.c(); c++) {
        int group = c / cg;
        for (int xs = 0; xs < inPlane; xs++) {
          int i0 = xs / (in[1] * in[2]);
          int i1 = (xs / in[2]) % in[1];
          int i2 = xs % in[2];
          int xi = (n * g.c() + c) * inPlane + xs;
          for (int ks = 0; ks < kPlane; ks++) {
            int o0 = i0 * s[0] - p[0] + (ks / (k[1] * k[2])) * d[0];
            int o1 = i1 * s[1] - p[1] + ((ks / k[2]) % k[1]) * d[1];
            int o2 = i2 * s[2] - p[2] + (ks % k[2]) * d[2];
            if (o0 < 0 || o0 >= out[0] || o1 < 0 || o1 >= out[1] || o2 < 0 || o2 >= out[2])
              continue;
            int os = (o0 * out[1] + o1) * out[2] + o2;
            for (int mm = 0; mm < mg; mm++) {
              int m = group * mg + mm;
              tap.at(xi, (c * mg + mm) * kPlane + ks, (n * g.m() + m) * outPlane + os);
            }
          }
        }
      }
  }
}
