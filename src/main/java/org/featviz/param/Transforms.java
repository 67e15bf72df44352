package org.featviz.param;

import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * Lucid's augmentation (pad, jitter, scale, rotate, jitter) composed into ONE affine bilinear
 * resampling per image, so that forward and backward are one pass each (the GPU kernel fuses
 * exactly this), and its exact adjoint.
 *
 * <p>Shapes: image [C, H, W]; output canvas [C, Ho, Wo] (the network's input size, often H x W).
 * Every output pixel (xo, yo) reads the image at
 *
 * <pre>
 *   p_img = c_img + R(theta) (p_out - c_out) / scale + t,   c = ((W - 1) / 2, (H - 1) / 2) of each canvas,
 *   R(theta) = [[cos, -sin], [sin, cos]] acting on (x, y) with y pointing down
 * </pre>
 *
 * (a positive angle turns the content counter-clockwise on screen; scale &gt; 1 enlarges it; t =
 * (tx, ty) is the sum of both jitters) and samples bilinearly from the image extended by
 *
 * <pre>
 *   E[i, j] = image[i, j]   inside the image
 *           = padValue      in the ring of width pad around it (-pad &lt;= i &lt; H + pad, likewise j)
 *           = 0             beyond (what Lucid's and kornia's rotation fill with)
 * </pre>
 *
 * Bilinear: with x0 = floor(x), fx = x - x0 (likewise y), out = sum over the 4 neighbours of (1 -
 * fy or fy) (1 - fx or fx) E[neighbour]. Only image pixels carry gradient, so backward scatters
 * gradOut with the same weights onto the neighbours inside the image; fill values have zero
 * gradient.
 *
 * <p>Differences from Lucid's chain of separate resamplings, all deliberate: Lucid's canvas grows
 * with the pad and shrinks with each crop, here it is fixed at Ho x Wo, centered on the image;
 * Lucid applies the second jitter after rotation and scaling, here both jitters add to t in image
 * pixels (their sum is what matters for robustness); Lucid resamples twice (scale, then rotate),
 * here once. A jitter of j draws o uniformly from {0..j} (Lucid's random crop offset) and shifts by
 * o - floor(j / 2), so an even j shifts by -j/2..j/2.
 *
 * <p>With every part disabled and Ho x Wo = H x W the sampling points fall on pixel centers and
 * forward is an exact copy. One instance is immutable and serves a whole batch; each call handles
 * one image.
 */
public final class Transforms {
  private final TransformConfig config;
  private final int channels;
  private final int height;
  private final int width;
  private final int outHeight;
  private final int outWidth;

  /** An output canvas of the image's own size. */
  public Transforms(TransformConfig config, Shape imageShape) {
    this(config, imageShape, imageShape.dim(1), imageShape.dim(2));
  }

  public Transforms(TransformConfig config, Shape imageShape, int outHeight, int outWidth) {
    ImageShapes.check(imageShape, "transforms");
    if (outHeight < 1 || outWidth < 1) {
      throw new ModelException(
          "transforms: output size must be positive, got " + outHeight + "x" + outWidth);
    }
    this.config = config;
    this.channels = imageShape.dim(0);
    this.height = imageShape.dim(1);
    this.width = imageShape.dim(2);
    this.outHeight = outHeight;
    this.outWidth = outWidth;
  }

  /** [C, Ho, Wo]. */
  public Shape outputShape() {
    return Shape.of(channels, outHeight, outWidth);
  }

  /**
   * Draws one image's transform for one step, in Lucid's order: first jitter (x, then y), scale,
   * angle, second jitter (x, then y). Disabled parts draw nothing from rng.
   */
  public TransformSample draw(Random rng) {
    double tx = jitter(config.firstJitter(), rng);
    double ty = jitter(config.firstJitter(), rng);
    double scale =
        config.scales().isEmpty() ? 1 : config.scales().get(rng.nextInt(config.scales().size()));
    double angle =
        config.anglesDegrees().isEmpty()
            ? 0
            : config.anglesDegrees().get(rng.nextInt(config.anglesDegrees().size()));
    tx += jitter(config.secondJitter(), rng);
    ty += jitter(config.secondJitter(), rng);
    return new TransformSample(scale, angle, tx, ty);
  }

  private static int jitter(int j, Random rng) {
    return j <= 0 ? 0 : rng.nextInt(j + 1) - j / 2;
  }

  /** image [C, H, W] -> out [C, Ho, Wo] (overwritten). */
  public void forward(float[] image, TransformSample sample, float[] out) {
    int plane = height * width;
    int outPlane = outHeight * outWidth;
    Bilinear b = new Bilinear();
    for (int yo = 0; yo < outHeight; yo++) {
      for (int xo = 0; xo < outWidth; xo++) {
        locate(sample, yo, xo, b);
        int o = yo * outWidth + xo;
        for (int c = 0; c < channels; c++) {
          double sum = 0;
          for (int k = 0; k < 4; k++) {
            double v =
                switch (b.kind[k]) {
                  case Bilinear.IMAGE -> image[c * plane + b.index[k]];
                  case Bilinear.PAD -> config.padValue();
                  default -> 0;
                };
            sum += b.weight[k] * v;
          }
          out[c * outPlane + o] = (float) sum;
        }
      }
    }
  }

  /**
   * The adjoint: gradOut [C, Ho, Wo] -> gradImage [C, H, W] (overwritten); fill values get no
   * gradient.
   */
  public void backward(float[] gradOut, TransformSample sample, float[] gradImage) {
    int plane = height * width;
    int outPlane = outHeight * outWidth;
    double[] acc = new double[channels * plane];
    Bilinear b = new Bilinear();
    for (int yo = 0; yo < outHeight; yo++) {
      for (int xo = 0; xo < outWidth; xo++) {
        locate(sample, yo, xo, b);
        int o = yo * outWidth + xo;
        for (int k = 0; k < 4; k++) {
          if (b.kind[k] != Bilinear.IMAGE) continue;
          for (int c = 0; c < channels; c++)
            acc[c * plane + b.index[k]] += b.weight[k] * gradOut[c * outPlane + o];
        }
      }
    }
    for (int i = 0; i < acc.length; i++) gradImage[i] = (float) acc[i];
  }

  /**
   * Where output pixel (yo, xo) reads the image: fills b with the 4 neighbours, their kinds and
   * weights.
   */
  private void locate(TransformSample s, int yo, int xo, Bilinear b) {
    double theta = Math.toRadians(s.angleDegrees());
    double cos = Math.cos(theta);
    double sin = Math.sin(theta);
    double dx = xo - (outWidth - 1) / 2.0;
    double dy = yo - (outHeight - 1) / 2.0;
    double x = (width - 1) / 2.0 + (cos * dx - sin * dy) / s.scale() + s.tx();
    double y = (height - 1) / 2.0 + (sin * dx + cos * dy) / s.scale() + s.ty();
    double x0 = Math.floor(x);
    double y0 = Math.floor(y);
    double fx = x - x0;
    double fy = y - y0;
    for (int k = 0; k < 4; k++) {
      int dyk = k >> 1;
      int dxk = k & 1;
      b.weight[k] = (dyk == 0 ? 1 - fy : fy) * (dxk == 0 ? 1 - fx : fx);
      classify(y0 + dyk, x0 + dxk, b, k);
    }
  }

  private void classify(double i, double j, Bilinear b, int k) {
    int pad = config.pad();
    if (i >= 0 && i < height && j >= 0 && j < width) {
      b.kind[k] = Bilinear.IMAGE;
      b.index[k] = (int) i * width + (int) j;
    } else if (i >= -pad && i < height + pad && j >= -pad && j < width + pad) {
      b.kind[k] = Bilinear.PAD;
    } else {
      b.kind[k] = Bilinear.ZERO;
    }
  }

  /**
   * The 4 bilinear neighbours of one sampling point: what each is, where it is, how much it weighs.
   */
  private static final class Bilinear {
    static final int IMAGE = 0;
    static final int PAD = 1;
    static final int ZERO = 2;
    final int[] kind = new int[4];
    final int[] index = new int[4];
    final double[] weight = new double[4];
  }

  public String describe() {
    return config.describe();
  }
}
