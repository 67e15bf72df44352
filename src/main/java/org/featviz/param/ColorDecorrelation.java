package org.featviz.param;

/**
 * Lucid's color decorrelation for 3-channel images: the parameterization optimizes in a
 * decorrelated color space and this maps it to RGB, rgb[i] = sum_j M[i][j] t[j] at every pixel,
 * with M the square root of ImageNet's color correlation matrix as Lucid publishes it, divided by
 * its largest column norm (so no color axis is amplified):
 *
 * <pre>
 *   M = [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]] / max_j ||M[:, j]||   (max norm 0.4620)
 * </pre>
 *
 * Shapes: images [3, H, W], channel-major.
 */
public final class ColorDecorrelation {
  private static final double[][] SQRT_CORRELATION = {
    {0.26, 0.09, 0.02},
    {0.27, 0.00, -0.05},
    {0.27, -0.09, 0.03}
  };

  /** The normalized 3x3 matrix M (row i = output color i). */
  public static final float[][] MATRIX = normalized();

  private ColorDecorrelation() {}

  /** out [3, H, W] = M applied to every pixel of t [3, H, W]; plane = H * W. out may not be t. */
  public static void forward(float[] t, float[] out, int plane) {
    for (int p = 0; p < plane; p++) {
      float t0 = t[p];
      float t1 = t[plane + p];
      float t2 = t[2 * plane + p];
      for (int i = 0; i < 3; i++)
        out[i * plane + p] = MATRIX[i][0] * t0 + MATRIX[i][1] * t1 + MATRIX[i][2] * t2;
    }
  }

  /**
   * The adjoint: gradT [3, H, W] = M^T applied to every pixel of gradOut [3, H, W]. gradT may not
   * be gradOut.
   */
  public static void backward(float[] gradOut, float[] gradT, int plane) {
    for (int p = 0; p < plane; p++) {
      float g0 = gradOut[p];
      float g1 = gradOut[plane + p];
      float g2 = gradOut[2 * plane + p];
      for (int j = 0; j < 3; j++)
        gradT[j * plane + p] = MATRIX[0][j] * g0 + MATRIX[1][j] * g1 + MATRIX[2][j] * g2;
    }
  }

  private static float[][] normalized() {
    double maxNorm = 0;
    for (int j = 0; j < 3; j++) {
      double sq = 0;
      for (int i = 0; i < 3; i++) sq += SQRT_CORRELATION[i][j] * SQRT_CORRELATION[i][j];
      maxNorm = Math.max(maxNorm, Math.sqrt(sq));
    }
    float[][] m = new float[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) m[i][j] = (float) (SQRT_CORRELATION[i][j] / maxNorm);
    }
    return m;
  }
}
