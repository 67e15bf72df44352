package org.featviz.param;

import java.util.Arrays;
import org.featviz.cpu.MatrixProduct;

/**
 * The inverse real 2-D discrete Fourier transform of a half spectrum, written as matrix products
 * with precomputed real DFT matrices (the CUDA version runs the same products as cuBLAS GEMMs), and
 * its exact adjoint.
 *
 * <p>Shapes: H rows, W columns, Wf = W / 2 + 1 stored columns of the spectrum (numpy's rfft layout,
 * for even and odd W); spectrum [2, H, Wf] (part 0 the real parts, part 1 the imaginary parts, each
 * [H, Wf] row-major), image [H, W]. The transform is unnormalized (numpy's {@code irfft2} times H *
 * W):
 *
 * <pre>
 *   image[y, x] = sum_{ky &lt; H} sum_{kx &lt; Wf} h(kx) Re( X[ky, kx] exp(2 pi i (ky y / H + kx x / W)) )
 *   h(kx) = 1 for kx = 0 and, when W is even, for kx = W / 2 (the Nyquist column); 2 otherwise
 * </pre>
 *
 * The Hermitian weight h counts each stored column once for itself and once for its mirror image kx
 * -> W - kx, which the half spectrum leaves out; the columns that are their own mirror (0, and W/2
 * for even W) count once. In those columns only the Hermitian part counts (X[ky] and conj X[-ky]
 * act as their average), so the imaginary parts at the four self-conjugate positions (ky in {0, H/2
 * for even H}) x (kx in {0, W/2 for even W}) have no effect, as in numpy's irfft2 (which this
 * equals, times H * W).
 *
 * <p>Two stages, each one product:
 *
 * <pre>
 *   1. along H (complex):  Y [2H, Wf] = Mh [2H, 2H] . X [2H, Wf]      Mh = [[Ch, -Sh], [Sh, Ch]]
 *                          Ch[y, ky] = cos(2 pi ky y / H),  Sh[y, ky] = sin(2 pi ky y / H);  Y = [Yr; Yi]
 *   2. along W (to real):  image [H, W] = [Yr Yi] [H, 2Wf] . Mw [2Wf, W]   Mw = [[Cw], [Sw]]
 *                          Cw[kx, x] = h(kx) cos(2 pi kx x / W),  Sw[kx, x] = -h(kx) sin(2 pi kx x / W)
 * </pre>
 *
 * Stage 2's left operand is read as the two halves Yr and Yi of Y (two accumulating products over K
 * = Wf each, or one over K = 2 Wf when the GPU writes Y as [H, 2, Wf]). The adjoint runs the
 * transposes in reverse order: gY = [g Mw^T restricted to Cw, g Mw^T restricted to Sw] (as [2H,
 * Wf]), then gX = Mh^T gY.
 */
public final class InverseRealDft2d {
  private final int height;
  private final int width;
  private final int halfWidth;

  /** Mh [2H, 2H] and its transpose. */
  private final float[] columnMatrix;

  private final float[] columnMatrixT;

  /** Mw [2Wf, W] and its transpose [W, 2Wf]. */
  private final float[] rowMatrix;

  private final float[] rowMatrixT;

  public InverseRealDft2d(int height, int width) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "inverse DFT needs a positive size, got " + height + "x" + width);
    }
    this.height = height;
    this.width = width;
    this.halfWidth = width / 2 + 1;
    this.columnMatrix = columnMatrix(height);
    this.columnMatrixT = MatrixProduct.transpose(columnMatrix, 0, 2 * height, 2 * height);
    this.rowMatrix = rowMatrix(width, halfWidth);
    this.rowMatrixT = MatrixProduct.transpose(rowMatrix, 0, 2 * halfWidth, width);
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** Wf = W / 2 + 1, the stored columns of the half spectrum. */
  public int halfWidth() {
    return halfWidth;
  }

  /** Floats per spectrum: 2 * H * Wf. */
  public int spectrumSize() {
    return 2 * height * halfWidth;
  }

  /**
   * A copy of Mh [2H, 2H] = [[Ch, -Sh], [Sh, Ch]], stage 1's matrix (what the GPU version uploads).
   */
  public float[] columnMatrix() {
    return columnMatrix.clone();
  }

  /**
   * A copy of Mw [2Wf, W] = [[Cw], [Sw]], stage 2's matrix with the Hermitian weights folded in.
   */
  public float[] rowMatrix() {
    return rowMatrix.clone();
  }

  /** The Hermitian weight h(kx) of a stored column. */
  public static int hermitianWeight(int kx, int width) {
    boolean nyquist = width % 2 == 0 && kx == width / 2;
    return kx == 0 || nyquist ? 1 : 2;
  }

  /** spectrum [2, H, Wf] at sOffset -> image [H, W] at iOffset (overwritten). */
  public void forward(float[] spectrum, int sOffset, float[] image, int iOffset) {
    int h = height;
    int wf = halfWidth;
    int w = width;
    float[] y = new float[2 * h * wf];
    MatrixProduct.multiplyAdd(
        columnMatrix, 0, 2 * h, spectrum, sOffset, wf, y, 0, wf, 2 * h, 2 * h, wf);
    Arrays.fill(image, iOffset, iOffset + h * w, 0f);
    MatrixProduct.multiplyAdd(y, 0, wf, rowMatrix, 0, w, image, iOffset, w, h, wf, w);
    MatrixProduct.multiplyAdd(y, h * wf, wf, rowMatrix, wf * w, w, image, iOffset, w, h, wf, w);
  }

  /**
   * The adjoint: gradImage [H, W] at gOffset -> gradSpectrum [2, H, Wf] at sOffset (overwritten).
   */
  public void adjoint(float[] gradImage, int gOffset, float[] gradSpectrum, int sOffset) {
    int h = height;
    int wf = halfWidth;
    int w = width;
    float[] gy = new float[2 * h * wf];
    // gYr = g Cw^T and gYi = g Sw^T: the two column blocks of Mw^T [W, 2Wf].
    MatrixProduct.multiplyAdd(gradImage, gOffset, w, rowMatrixT, 0, 2 * wf, gy, 0, wf, h, w, wf);
    MatrixProduct.multiplyAdd(
        gradImage, gOffset, w, rowMatrixT, wf, 2 * wf, gy, h * wf, wf, h, w, wf);
    Arrays.fill(gradSpectrum, sOffset, sOffset + 2 * h * wf, 0f);
    MatrixProduct.multiplyAdd(
        columnMatrixT, 0, 2 * h, gy, 0, wf, gradSpectrum, sOffset, wf, 2 * h, 2 * h, wf);
  }

  /** Mh [2H, 2H] = [[Ch, -Sh], [Sh, Ch]]. */
  private static float[] columnMatrix(int h) {
    int n = 2 * h;
    float[] m = new float[n * n];
    for (int y = 0; y < h; y++) {
      for (int ky = 0; ky < h; ky++) {
        int r = (int) (((long) ky * y) % h);
        float c = (float) cosTurn(r, h);
        float s = (float) sinTurn(r, h);
        m[y * n + ky] = c;
        m[y * n + h + ky] = -s;
        m[(h + y) * n + ky] = s;
        m[(h + y) * n + h + ky] = c;
      }
    }
    return m;
  }

  /** Mw [2Wf, W] = [[Cw], [Sw]] with the Hermitian weights folded in. */
  private static float[] rowMatrix(int w, int wf) {
    float[] m = new float[2 * wf * w];
    for (int kx = 0; kx < wf; kx++) {
      int weight = hermitianWeight(kx, w);
      for (int x = 0; x < w; x++) {
        int r = (int) (((long) kx * x) % w);
        m[kx * w + x] = (float) (weight * cosTurn(r, w));
        m[(wf + kx) * w + x] = (float) (-weight * sinTurn(r, w));
      }
    }
    return m;
  }

  /** cos(2 pi r / n), exact at multiples of a quarter turn (so sin(pi) is 0, not 1.2e-16). */
  static double cosTurn(int r, int n) {
    if ((4L * r) % n != 0) return Math.cos(2 * Math.PI * r / n);
    return switch ((int) (4L * r / n)) {
      case 0 -> 1;
      case 2 -> -1;
      default -> 0;
    };
  }

  /** sin(2 pi r / n), exact at multiples of a quarter turn. */
  static double sinTurn(int r, int n) {
    if ((4L * r) % n != 0) return Math.sin(2 * Math.PI * r / n);
    return switch ((int) (4L * r / n)) {
      case 1 -> 1;
      case 3 -> -1;
      default -> 0;
    };
  }
}
