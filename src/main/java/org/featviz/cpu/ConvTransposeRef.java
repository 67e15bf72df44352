package org.featviz.cpu;

import org.featviz.ops.ConvTransposeSpec;

/**
 * 2-D ConvTranspose by its definition: each x pixel adds its value times the kernel into y at
 * stride s (sums in double), then the bias. Backward: dx[n, c, i] = sum over the taps t and the
 * output channels m of c's group of dy[n, m, i s - pb + t d] w[c, m, t] (weights are frozen).
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
    int plane = g.out()[0] * g.out()[1];
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

  /** Every (x element, weight element, y element) that the definition multiplies together. */
  private static void walk(ConvTransposeSpec.Geometry g, Tap tap) {
    int cg = g.c() / g.groups();
    int mg = g.m() / g.groups();
    int h = g.in()[0];
    int wd = g.in()[1];
    int kh = g.kernel()[0];
    int kw = g.kernel()[1];
    int oh = g.out()[0];
    int ow = g.out()[1];
    for (int n = 0; n < g.n(); n++)
      for (int c = 0; c < g.c(); c++) {
        int group = c / cg;
        for (int i = 0; i < h; i++)
          for (int j = 0; j < wd; j++) {
            int xi = ((n * g.c() + c) * h + i) * wd + j;
            for (int mm = 0; mm < mg; mm++) {
              int m = group * mg + mm;
              for (int a = 0; a < kh; a++) {
                int yr = i * g.strides()[0] - g.padBegin()[0] + a * g.dilations()[0];
                if (yr < 0 || yr >= oh) continue;
                for (int b = 0; b < kw; b++) {
                  int yc = j * g.strides()[1] - g.padBegin()[1] + b * g.dilations()[1];
                  if (yc < 0 || yc >= ow) continue;
                  tap.at(
                      xi, ((c * mg + mm) * kh + a) * kw + b, ((n * g.m() + m) * oh + yr) * ow + yc);
                }
              }
            }
          }
      }
  }
}
