package org.featviz.objective;

import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * Image regularizers. Each is a penalty: -weight times a mean over the M = C * H * W pixels (means,
 * so a weight means the same at every image size). Gradients are exact derivatives of the values.
 * Each kind is a class here ({@link TotalVariation}, {@link L1}, {@link Blur}) that exposes its
 * arguments.
 */
public final class ImageRegularizers {
  /** Lucid's L1 constant: pixels are pulled toward mid-grey. */
  public static final double L1_CENTER = 0.5;

  private ImageRegularizers() {}

  /**
   * Anisotropic total variation: -weight (1/M) sum over neighbouring pixel pairs (right and down
   * neighbours, per channel) of |x_j - x_i|. Gradient: -weight/M sign(x_j - x_i) at x_j and its
   * negative at x_i.
   */
  public static ImageRegularizer totalVariation(double weight) {
    checkWeight("totalVariation", weight);
    return new TotalVariation(weight);
  }

  /** {@link #l1(double, double)} around mid-grey (0.5). */
  public static ImageRegularizer l1(double weight) {
    return l1(weight, L1_CENTER);
  }

  /** -weight (1/M) sum |x_i - center|; gradient -weight/M sign(x_i - center). */
  public static ImageRegularizer l1(double weight, double center) {
    checkWeight("l1", weight);
    if (!Double.isFinite(center))
      throw new ModelException("l1: center must be finite, got " + center);
    return new L1(weight, center);
  }

  /**
   * Blur penalty: -weight (1/M) |r|^2 / 2 with r = x - B x, B a per-channel 3x3 box blur that
   * averages the in-bounds neighbours of each pixel. Gradient: -weight/M (I - B)^T r, the exact
   * derivative (B is linear; B^T is applied by scattering). Lucid's blur_input_each_step treats B x
   * as a constant (stop-gradient) and uses r alone as the gradient, which is not the derivative of
   * any value; this version keeps value and gradient consistent (it penalizes high frequencies
   * somewhat more strongly).
   */
  public static ImageRegularizer blur(double weight) {
    checkWeight("blur", weight);
    return new Blur(weight);
  }

  /** {@link #totalVariation}. */
  public static final class TotalVariation extends Regularizer {
    private TotalVariation(double weight) {
      super("totalVariation(" + VectorText.number(weight) + ")", weight);
    }

    @Override
    double penalty(float[] x, int c, int h, int w, double[] grad) {
      double sum = 0;
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int xx = 0; xx < w; xx++) {
            int i = (ch * h + y) * w + xx;
            if (xx + 1 < w) sum += pair(x, i, i + 1, grad);
            if (y + 1 < h) sum += pair(x, i, i + w, grad);
          }
        }
      }
      return weight * sum;
    }

    private double pair(float[] x, int i, int j, double[] grad) {
      double d = (double) x[j] - x[i];
      double s = Math.signum(d) * weight;
      grad[j] += s;
      grad[i] -= s;
      return Math.abs(d);
    }
  }

  /** {@link #l1(double, double)}. */
  public static final class L1 extends Regularizer {
    private final double center;

    private L1(double weight, double center) {
      super(
          "l1(" + VectorText.number(weight) + ", center " + VectorText.number(center) + ")",
          weight);
      this.center = center;
    }

    /** The value the pixels are pulled toward. */
    public double center() {
      return center;
    }

    @Override
    double penalty(float[] x, int c, int h, int w, double[] grad) {
      double sum = 0;
      for (int i = 0; i < x.length; i++) {
        double d = x[i] - center;
        sum += Math.abs(d);
        grad[i] = weight * Math.signum(d);
      }
      return weight * sum;
    }
  }

  /** {@link #blur}. */
  public static final class Blur extends Regularizer {
    private Blur(double weight) {
      super("blur(" + VectorText.number(weight) + ")", weight);
    }

    @Override
    double penalty(float[] x, int c, int h, int w, double[] grad) {
      double[] r = new double[x.length];
      for (int i = 0; i < x.length; i++) r[i] = x[i];
      forEachBlurTap(c, h, w, (out, in, tap) -> r[out] -= tap * x[in]);
      double sum = 0;
      for (int i = 0; i < r.length; i++) {
        sum += r[i] * r[i];
        grad[i] = weight * r[i];
      }
      forEachBlurTap(c, h, w, (out, in, tap) -> grad[in] -= weight * tap * r[out]);
      return weight * sum / 2;
    }
  }

  /**
   * A regularizer's weight is finite and >= 0: a negative one would reward the noise it is meant to
   * remove.
   */
  private static void checkWeight(String what, double weight) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new ModelException(what + ": weight must be a finite number >= 0, got " + weight);
    }
  }

  /** One weight of the blur matrix: B[out][in] = tap. */
  private interface BlurTap {
    void accept(int out, int in, double tap);
  }

  /**
   * Visits every nonzero B[out][in] of the 3x3 box blur (1 / number of in-bounds neighbours, self
   * included).
   */
  private static void forEachBlurTap(int c, int h, int w, BlurTap visitor) {
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          int rows = Math.min(y + 1, h - 1) - Math.max(y - 1, 0) + 1;
          int cols = Math.min(xx + 1, w - 1) - Math.max(xx - 1, 0) + 1;
          double tap = 1.0 / (rows * cols);
          int out = (ch * h + y) * w + xx;
          for (int yy = Math.max(y - 1, 0); yy <= Math.min(y + 1, h - 1); yy++) {
            for (int x2 = Math.max(xx - 1, 0); x2 <= Math.min(xx + 1, w - 1); x2++) {
              visitor.accept(out, (ch * h + yy) * w + x2, tap);
            }
          }
        }
      }
    }
  }

  /**
   * Shared frame: checks the shape, lets the subclass compute weight * sum and d(weight * sum)/dx,
   * then returns -(that)/M and adds -(gradient)/M into gradImage.
   */
  private abstract static class Regularizer implements ImageRegularizer {
    private final String description;
    final double weight;

    Regularizer(String description, double weight) {
      this.description = description;
      this.weight = weight;
    }

    /**
     * The regularizer's weight: its value is -weight/M times its penalty (M = pixels of one image).
     */
    public double weight() {
      return weight;
    }

    /**
     * Returns weight * (penalty sum); overwrites or accumulates its derivative into grad (zeroed on
     * entry).
     */
    abstract double penalty(float[] x, int c, int h, int w, double[] grad);

    @Override
    public double evaluate(float[] image, Shape chw, float[] gradImage) {
      if (chw.rank() != 3)
        throw new ModelException(description + ": image shape must be [C, H, W], got " + chw);
      int m = chw.size();
      if (image.length != m || gradImage.length != m) {
        throw new ModelException(
            description
                + ": image of "
                + image.length
                + " and gradient of "
                + gradImage.length
                + " values for shape "
                + chw);
      }
      double[] grad = new double[m];
      double value = penalty(image, chw.dim(0), chw.dim(1), chw.dim(2), grad);
      for (int i = 0; i < m; i++) gradImage[i] -= (float) (grad[i] / m);
      return -value / m;
    }

    @Override
    public String describe() {
      return description;
    }

    @Override
    public String toString() {
      return description;
    }
  }
}
