package org.featviz.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.featviz.cpu.Blas;
import org.featviz.cpu.ConvGemm;

/**
 * The candidates for the CPU backend's matrix products, side by side on the products of real
 * convolutions (C [M, P] = W [M, K] x patches [K, P], one image's output plane): featviz's Java
 * kernel (cpu.ConvGemm, register-tiled for HotSpot's auto-vectorizer), OpenBLAS's sgemm on native
 * buffers (what cpu.ConvBlas does), and OpenBLAS's sgemm on Java arrays (JNI copies every array in
 * and out on each call). Each result is checked against a float64 product before it is timed; the
 * rate is GFLOP per second of the measuring thread's CPU time, so other load on the machine
 * disturbs it less than wall time would.
 *
 * <pre>
 * java -cp target/featviz.jar org.featviz.bench.GemmBench [seconds per measurement, default 1]
 * </pre>
 */
public final class GemmBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * name, M, K, P: fashion-cnn's conv layers and two ImageNet-size ones (ResNet-18 layer1, layer3).
   */
  private static final Object[][] SHAPES = {
    {"fashion-cnn conv1 (1->64, 28x28)", 64, 9, 784},
    {"fashion-cnn conv2 (64->64, 28x28)", 64, 576, 784},
    {"fashion-cnn conv3 (64->128, 14x14)", 128, 576, 196},
    {"fashion-cnn conv4 (128->128, 14x14)", 128, 1152, 196},
    {"resnet18 layer1 (64->64, 56x56)", 64, 576, 3136},
    {"resnet18 layer3 (256->256, 14x14)", 256, 2304, 196},
  };

  private GemmBench() {}

  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1;
    System.exit(run(new PrintWriter(System.out, true), seconds));
  }

  /** Prints the table; 1 where OpenBLAS is not available (a candidate's check throws). */
  static int run(PrintWriter out, double seconds) {
    if (!Blas.available()) {
      out.println("GemmBench: " + Blas.unavailableReason());
      return 1;
    }
    out.println("GFLOP per CPU-second of one thread; each candidate checked against float64 first");
    out.println();
    out.println(
        "| product | M x K x P | Java (ConvGemm) | OpenBLAS, native | OpenBLAS, Java arrays |");
    out.println("| --- | --- | ---: | ---: | ---: |");
    for (Object[] s : SHAPES) {
      int m = (Integer) s[1];
      int k = (Integer) s[2];
      int p = (Integer) s[3];
      Random rng = new Random(7);
      float[] w = random(rng, m * k);
      float[] col = random(rng, k * p);
      double[] expected = reference(w, col, m, k, p);
      float[][] colRows = rows(col, k, p);
      float[][] cRows = new float[m][p];
      float[] c = new float[m * p];
      try (FloatPointer wN = new FloatPointer(w);
          FloatPointer colN = new FloatPointer(col);
          FloatPointer cN = new FloatPointer((long) m * p)) {
        Runnable java =
            () -> {
              for (float[] r : cRows) Arrays.fill(r, 0f);
              ConvGemm.multiplyAdd(w, 0, k, 1, colRows, k, cRows, 0, m, p);
            };
        Runnable nativeBlas =
            () -> Blas.sgemm(false, false, m, p, k, 1f, wN, 0, k, colN, 0, p, 0f, cN, 0, p);
        Runnable arrays =
            () ->
                openblas_nolapack.cblas_sgemm(
                    openblas_nolapack.CblasRowMajor,
                    openblas_nolapack.CblasNoTrans,
                    openblas_nolapack.CblasNoTrans,
                    m,
                    p,
                    k,
                    1f,
                    w,
                    k,
                    col,
                    p,
                    0f,
                    c,
                    p);
        java.run();
        check(expected, flatten(cRows), "Java");
        nativeBlas.run();
        float[] fromNative = new float[m * p];
        cN.get(fromNative);
        check(expected, fromNative, "OpenBLAS native");
        arrays.run();
        check(expected, c, "OpenBLAS arrays");
        double flops = 2.0 * m * k * p;
        out.printf(
            Locale.ROOT,
            "| %s | %d x %d x %d | %.1f | %.1f | %.1f |%n",
            s[0],
            m,
            k,
            p,
            rate(java, flops, seconds),
            rate(nativeBlas, flops, seconds),
            rate(arrays, flops, seconds));
      }
    }
    return 0;
  }

  /** GFLOP per CPU-second: warm-up for a third of the time, then as many runs as fit. */
  private static double rate(Runnable r, double flops, double seconds) {
    long budget = (long) (seconds * 1e9);
    long start = THREADS.getCurrentThreadCpuTime();
    while (THREADS.getCurrentThreadCpuTime() - start < budget / 3) r.run();
    int runs = 0;
    start = THREADS.getCurrentThreadCpuTime();
    long now;
    do {
      r.run();
      runs++;
      now = THREADS.getCurrentThreadCpuTime();
    } while (now - start < budget);
    return flops * runs / (now - start);
  }

  private static void check(double[] expected, float[] actual, String what) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
      norm += expected[i] * expected[i];
    }
    double rel = Math.sqrt(diff / norm);
    if (!(rel <= 1e-5)) throw new IllegalStateException(what + ": relative error " + rel);
  }

  private static double[] reference(float[] a, float[] b, int m, int k, int n) {
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int q = 0; q < k; q++) {
        double aiq = a[i * k + q];
        for (int j = 0; j < n; j++) c[i * n + j] += aiq * b[q * n + j];
      }
    }
    return c;
  }

  private static float[] random(Random rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = rng.nextFloat() * 2 - 1;
    return v;
  }

  private static float[][] rows(float[] a, int rows, int cols) {
    float[][] r = new float[rows][cols];
    for (int i = 0; i < rows; i++) System.arraycopy(a, i * cols, r[i], 0, cols);
    return r;
  }

  private static float[] flatten(float[][] rows) {
    int cols = rows[0].length;
    float[] a = new float[rows.length * cols];
    for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, a, i * cols, cols);
    return a;
  }
}
