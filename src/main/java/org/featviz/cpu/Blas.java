package org.featviz.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS's single-precision matrix product for the fast CPU kernels ({@link ConvBlas}, {@link
 * MatrixProduct}), loaded once through JavaCPP. Where it cannot load (no Linux x86-64 natives, a
 * broken install, or {@code -Dfeatviz.blas=off}), {@link #available()} is false, {@link
 * #unavailableReason()} says why, and the Java kernels run instead.
 *
 * <p>OpenBLAS runs on one thread per call: featviz's kernels call it from the tasks of Java's
 * common pool, one product per task, so a second layer of threads would only oversubscribe the
 * cores.
 */
public final class Blas {
  private static final String REASON = load();

  private Blas() {}

  private static String load() {
    if ("off".equalsIgnoreCase(System.getProperty("featviz.blas", ""))) {
      return "turned off by -Dfeatviz.blas=off";
    }
    try {
      Loader.load(openblas_nolapack.class);
      openblas_nolapack.blas_set_num_threads(1);
      return null;
    } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError: any failure to load
      return "OpenBLAS did not load (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
    }
  }

  /** Whether OpenBLAS loaded in this process. */
  public static boolean available() {
    return REASON == null;
  }

  /** Why OpenBLAS is not available, or null when it is. */
  public static String unavailableReason() {
    return REASON;
  }

  /**
   * C [m, n] = alpha op(A) op(B) + beta C, row-major, op(X) = X or its transpose; each matrix at a
   * float offset from the address of its native buffer (its position is ignored) with its leading
   * dimension (as stored, before op).
   */
  public static void sgemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alpha,
      FloatPointer a,
      long aOffset,
      int lda,
      FloatPointer b,
      long bOffset,
      int ldb,
      float beta,
      FloatPointer c,
      long cOffset,
      int ldc) {
    openblas_nolapack.cblas_sgemm(
        openblas_nolapack.CblasRowMajor,
        transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
        transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
        m,
        n,
        k,
        alpha,
        at(a, aOffset),
        lda,
        at(b, bOffset),
        ldb,
        beta,
        at(c, cOffset),
        ldc);
  }

  /** A non-owning view of {@code p} starting {@code offset} floats after its address. */
  private static FloatPointer at(FloatPointer p, long offset) {
    return offset == 0 && p.position() == 0 ? p : new FloatPointer(p).position(offset);
  }
}
