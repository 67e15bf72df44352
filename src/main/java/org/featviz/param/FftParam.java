package org.featviz.param;

import java.util.Random;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * Lucid's spectral parameterization: each channel is a half spectrum of complex Fourier
 * coefficients, scaled so that low frequencies dominate (natural images have a 1/f amplitude
 * spectrum), brought to pixels by an inverse real 2-D DFT, optionally decorrelated in color, then
 * squashed by a sigmoid. Optimizing in this basis gives every frequency a similar effective
 * learning rate, which keeps high-frequency noise out of the visualizations.
 *
 * <p>Shapes: H, W the image size; Wf = W / 2 + 1; params [C, 2, H, Wf] (per channel the real parts
 * [H, Wf], then the imaginary parts [H, Wf]); image [C, H, W].
 *
 * <p>The exact convention, per channel c:
 *
 * <pre>
 *   f(ky, kx)  = sqrt(fy(ky)^2 + fx(kx)^2),  fy = numpy.fft.fftfreq(H)[ky],  fx = numpy.fft.rfftfreq(W)[kx]
 *   s(ky, kx)  = 1 / max(f, 1 / max(H, W))^decay
 *   X          = s * sqrt(H W) * (re + i im)                       Lucid's scaled spectrum
 *   t_c        = irfft2(X, (H, W)) / 4                             numpy irfft2: 1 / (H W) normalization
 *              = InverseRealDft2d(w * (re, im)),  w(ky, kx) = s(ky, kx) / (4 sqrt(H W))
 *   image      = sigmoid(M t)  (3 channels, decorrelated)   or   sigmoid(t)  (otherwise)
 * </pre>
 *
 * sqrt(HW) times the 1/(HW) of the inverse is the orthonormal inverse transform, which is what
 * Lucent computes with {@code irfftn(..., norm="ortho")}; the 4 is Lucid's "magic" constant. For
 * odd W Lucid keeps one extra spectrum column and crops an image of width W + 1; featviz, like
 * Lucent, uses the exact size-W transform with W/2 + 1 columns (Lucent allocates the extra column
 * but irfftn never reads it). The imaginary parts at the self-conjugate positions (ky = 0 or H/2,
 * kx = 0 or W/2) have no effect, as in numpy's irfft2 (see {@link InverseRealDft2d}). M is {@link
 * ColorDecorrelation#MATRIX}. Parameters start as Gaussian noise with standard deviation 0.01.
 */
public final class FftParam implements ImageParam {
  public static final double DEFAULT_DECAY = 1;
  public static final double DEFAULT_STD = 0.01;

  /** Lucid divides the spatial image by 4 ("magic constant"); larger values reduce saturation. */
  public static final double LUCID_DIVISOR = 4;

  private final Shape shape;
  private final int channels;
  private final int plane;
  private final double decay;
  private final double std;
  private final boolean decorrelate;
  private final InverseRealDft2d dft;

  /** w [H, Wf]: the per-coefficient weight s / (4 sqrt(H W)) applied to both parts. */
  private final float[] weight;

  /** Defaults: decay 1, std 0.01, color decorrelation for 3-channel images. */
  public FftParam(Shape imageShape) {
    this(imageShape, DEFAULT_DECAY, DEFAULT_STD, imageShape.rank() == 3 && imageShape.dim(0) == 3);
  }

  public FftParam(Shape imageShape, double decay, double std, boolean decorrelate) {
    this.shape = ImageShapes.check(imageShape, "FFT parameterization");
    this.channels = shape.dim(0);
    int h = shape.dim(1);
    int w = shape.dim(2);
    this.plane = h * w;
    if (!(std >= 0))
      throw new IllegalArgumentException("FFT parameterization: std must be >= 0, got " + std);
    if (!Double.isFinite(decay))
      throw new IllegalArgumentException("FFT parameterization: decay " + decay);
    if (decorrelate && channels != 3) {
      throw new ModelException(
          "FFT parameterization: color decorrelation needs 3 channels, the image shape is "
              + shape);
    }
    this.decay = decay;
    this.std = std;
    this.decorrelate = decorrelate;
    this.dft = new InverseRealDft2d(h, w);
    this.weight = spectrumWeight(h, w, decay);
  }

  /**
   * |f| of the coefficient (ky, kx), in cycles per pixel, with numpy's fftfreq (rows) and rfftfreq
   * (columns).
   */
  public static double frequency(int ky, int kx, int height, int width) {
    double fy = (ky <= (height - 1) / 2 ? ky : ky - height) / (double) height;
    double fx = kx / (double) width;
    return Math.sqrt(fy * fy + fx * fx);
  }

  /**
   * w [H, Wf] = 1 / max(f, 1 / max(H, W))^decay / (4 sqrt(H W)): all scalings between params and
   * the DFT.
   */
  public static float[] spectrumWeight(int height, int width, double decay) {
    int wf = width / 2 + 1;
    double floor = 1.0 / Math.max(height, width);
    double norm = LUCID_DIVISOR * Math.sqrt((double) height * width);
    float[] w = new float[height * wf];
    for (int ky = 0; ky < height; ky++) {
      for (int kx = 0; kx < wf; kx++) {
        double s = 1 / Math.pow(Math.max(frequency(ky, kx, height, width), floor), decay);
        w[ky * wf + kx] = (float) (s / norm);
      }
    }
    return w;
  }

  @Override
  public Shape imageShape() {
    return shape;
  }

  @Override
  public int size() {
    return channels * dft.spectrumSize();
  }

  public boolean decorrelated() {
    return decorrelate;
  }

  /** The inverse DFT in use (its matrices are what the GPU version uploads). */
  public InverseRealDft2d dft() {
    return dft;
  }

  /** A copy of the weight w [H, Wf]. */
  public float[] weight() {
    return weight.clone();
  }

  @Override
  public void init(float[] params, Random rng) {
    for (int i = 0; i < size(); i++) params[i] = (float) (std * rng.nextGaussian());
  }

  @Override
  public void toImage(float[] params, float[] image) {
    float[] t = spatial(params);
    if (decorrelate) {
      ColorDecorrelation.forward(t, image, plane);
      for (int i = 0; i < channels * plane; i++) image[i] = Sigmoid.of(image[i]);
    } else {
      for (int i = 0; i < channels * plane; i++) image[i] = Sigmoid.of(t[i]);
    }
  }

  @Override
  public void backward(float[] params, float[] gradImage, float[] gradParams) {
    int n = channels * plane;
    float[] image = new float[n];
    toImage(params, image);
    float[] g = new float[n];
    for (int i = 0; i < n; i++) g[i] = gradImage[i] * Sigmoid.slope(image[i]);
    if (decorrelate) {
      float[] gt = new float[n];
      ColorDecorrelation.backward(g, gt, plane);
      g = gt;
    }
    spatialBackward(g, gradParams);
  }

  /**
   * The linear part before color and sigmoid: params [C, 2, H, Wf] -> t [C, H, W] (a new array).
   */
  float[] spatial(float[] params) {
    int spectrum = dft.spectrumSize();
    int half = spectrum / 2;
    float[] scaled = new float[spectrum];
    float[] t = new float[channels * plane];
    for (int c = 0; c < channels; c++) {
      int base = c * spectrum;
      for (int k = 0; k < half; k++) {
        scaled[k] = params[base + k] * weight[k];
        scaled[half + k] = params[base + half + k] * weight[k];
      }
      dft.forward(scaled, 0, t, c * plane);
    }
    return t;
  }

  /** The adjoint of {@link #spatial}: gradT [C, H, W] -> gradParams [C, 2, H, Wf] (overwritten). */
  void spatialBackward(float[] gradT, float[] gradParams) {
    int spectrum = dft.spectrumSize();
    int half = spectrum / 2;
    for (int c = 0; c < channels; c++) {
      int base = c * spectrum;
      dft.adjoint(gradT, c * plane, gradParams, base);
      for (int k = 0; k < half; k++) {
        gradParams[base + k] *= weight[k];
        gradParams[base + half + k] *= weight[k];
      }
    }
  }

  @Override
  public String describe() {
    return "fft(decay " + decay + ", std " + std + (decorrelate ? ", decorrelated)" : ")");
  }
}
