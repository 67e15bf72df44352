package org.featviz.param;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.featviz.cpu.OpTesting;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.junit.jupiter.api.Test;

class FftParamTest {
  /** Sizes with even and odd H and W, including degenerate ones. */
  private static final int[][] SIZES = {
    {4, 6}, {5, 7}, {6, 5}, {7, 8}, {1, 1}, {2, 3}, {1, 4}, {3, 1}, {28, 28}
  };

  @Test
  void inverseDftMatchesNumpyIrfft2() {
    // numpy.fft.irfft2(X, s=(H, W)) * H * W for X = re + i im below (printed by numpy 2.4).
    checkAgainstNumpy(
        3,
        4,
        new double[] {-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0},
        new double[] {-0.75, 0.25, 1.25, -0.75, 0.25, 1.25, -0.75, 0.25, 1.25},
        new double[] {
          12.0,
          -4.5,
          0.0,
          -1.5,
          -9.0,
          2.598076211353316,
          0.0,
          -2.598076211353316,
          -9.0,
          -2.598076211353316,
          0.0,
          2.598076211353316
        });
    checkAgainstNumpy(
        2,
        3,
        new double[] {-1.0, -0.5, 0.0, 0.5},
        new double[] {-0.75, 0.25, 1.25, -0.75},
        new double[] {
          -1.0,
          -0.1339745962155614,
          -1.8660254037844384,
          -3.0,
          -1.7320508075688772,
          1.7320508075688772
        });
  }

  private static void checkAgainstNumpy(int h, int w, double[] re, double[] im, double[] expected) {
    InverseRealDft2d dft = new InverseRealDft2d(h, w);
    float[] spectrum = new float[dft.spectrumSize()];
    for (int i = 0; i < re.length; i++) {
      spectrum[i] = (float) re[i];
      spectrum[re.length + i] = (float) im[i];
    }
    float[] image = new float[h * w];
    dft.forward(spectrum, 0, image, 0);
    for (int i = 0; i < expected.length; i++)
      assertEquals(expected[i], image[i], 1e-5, "pixel " + i);
  }

  @Test
  void inverseDftMatchesNaiveHermitianDft() {
    Random rng = new Random(10);
    for (int[] size : SIZES) {
      int h = size[0];
      int w = size[1];
      InverseRealDft2d dft = new InverseRealDft2d(h, w);
      float[] spectrum = ParamTesting.uniform(dft.spectrumSize() + 3, rng, -1f, 1f);
      float[] image = new float[h * w + 5];
      dft.forward(spectrum, 3, image, 5);
      double[] expected = naiveInverse(spectrum, 3, h, w);
      float[] actual = java.util.Arrays.copyOfRange(image, 5, 5 + h * w);
      OpTesting.assertClose(
          toFloat(expected), actual, 1e-4, 1e-4 * Math.sqrt(h * w), "irfft2 " + h + "x" + w);
    }
  }

  /**
   * The inverse DFT from its definition, in float64: the half spectrum X [2, H, Wf] completed to
   * the full Hermitian spectrum F [H, W] (F[ky, kx] = conj F[-ky, -kx]; self-mirrored columns
   * symmetrized), then image = sum F exp(+2 pi i (ky y / H + kx x / W)), whose imaginary part must
   * vanish.
   */
  static double[] naiveInverse(float[] spectrum, int offset, int h, int w) {
    int wf = w / 2 + 1;
    int imOffset = offset + h * wf;
    double[] fullRe = new double[h * w];
    double[] fullIm = new double[h * w];
    for (int ky = 0; ky < h; ky++) {
      for (int kx = 0; kx < w; kx++) {
        int mirrorY = (h - ky) % h;
        int mirrorX = (w - kx) % w;
        double re;
        double im;
        if (kx < wf && mirrorX < wf) {
          re = (spectrum[offset + ky * wf + kx] + spectrum[offset + mirrorY * wf + mirrorX]) / 2.0;
          im =
              (spectrum[imOffset + ky * wf + kx] - spectrum[imOffset + mirrorY * wf + mirrorX])
                  / 2.0;
        } else if (kx < wf) {
          re = spectrum[offset + ky * wf + kx];
          im = spectrum[imOffset + ky * wf + kx];
        } else {
          re = spectrum[offset + mirrorY * wf + mirrorX];
          im = -spectrum[imOffset + mirrorY * wf + mirrorX];
        }
        fullRe[ky * w + kx] = re;
        fullIm[ky * w + kx] = im;
      }
    }
    double[] image = new double[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double sumRe = 0;
        double sumIm = 0;
        for (int ky = 0; ky < h; ky++) {
          for (int kx = 0; kx < w; kx++) {
            double a = 2 * Math.PI * ((double) ky * y / h + (double) kx * x / w);
            double fr = fullRe[ky * w + kx];
            double fi = fullIm[ky * w + kx];
            sumRe += fr * Math.cos(a) - fi * Math.sin(a);
            sumIm += fr * Math.sin(a) + fi * Math.cos(a);
          }
        }
        assertEquals(0, sumIm, 1e-9 * h * w, "Hermitian spectrum must give a real image");
        image[y * w + x] = sumRe;
      }
    }
    return image;
  }

  @Test
  void inverseDftAdjointIsItsTranspose() {
    Random rng = new Random(11);
    for (int[] size : SIZES) {
      InverseRealDft2d dft = new InverseRealDft2d(size[0], size[1]);
      int n = size[0] * size[1];
      float[] x = ParamTesting.uniform(dft.spectrumSize(), rng, -1f, 1f);
      float[] y = ParamTesting.uniform(n, rng, -1f, 1f);
      float[] fx = new float[n];
      float[] fty = new float[dft.spectrumSize()];
      dft.forward(x, 0, fx, 0);
      dft.adjoint(y, 0, fty, 0);
      double left = ParamTesting.dot(fx, y);
      double right = ParamTesting.dot(x, fty);
      assertEquals(left, right, 1e-5 * n, "<F x, y> = <x, F^T y> at " + size[0] + "x" + size[1]);
    }
  }

  @Test
  void weightFollowsLucidScaling() {
    // numpy: 1 / max(sqrt(fftfreq(3)[:, None]^2 + rfftfreq(5)^2), 1 / 5), row-major [3, 3].
    double[] lucidScale = {
      5.0,
      5.0,
      2.5,
      3.0,
      2.5724787771376327,
      1.9205531989934395,
      3.0,
      2.5724787771376327,
      1.9205531989934395
    };
    float[] weight = FftParam.spectrumWeight(3, 5, 1);
    for (int i = 0; i < lucidScale.length; i++) {
      assertEquals(lucidScale[i] / (4 * Math.sqrt(15)), weight[i], 1e-7, "weight " + i);
    }
    // Decay 2 squares the scale; decay 0 leaves a flat spectrum.
    float[] squared = FftParam.spectrumWeight(3, 5, 2);
    float[] flat = FftParam.spectrumWeight(3, 5, 0);
    for (int i = 0; i < lucidScale.length; i++) {
      assertEquals(lucidScale[i] * lucidScale[i] / (4 * Math.sqrt(15)), squared[i], 1e-6);
      assertEquals(1 / (4 * Math.sqrt(15)), flat[i], 1e-7);
    }
    // Frequencies follow fftfreq (rows: 0, 1/4, -1/2, -1/4) and rfftfreq (columns: 0, 1/4, 1/2).
    assertEquals(Math.sqrt(0.25 + 0.0625), FftParam.frequency(2, 1, 4, 4), 1e-12);
    assertEquals(Math.sqrt(0.0625 + 0.25), FftParam.frequency(3, 2, 4, 4), 1e-12);
  }

  @Test
  void imageMatchesNaivePipeline() {
    Random rng = new Random(12);
    for (Shape shape : new Shape[] {Shape.of(3, 6, 7), Shape.of(1, 8, 5), Shape.of(2, 5, 6)}) {
      FftParam param = new FftParam(shape);
      float[] params = ParamTesting.gaussian(param.size(), rng, 1.0);
      float[] image = new float[shape.size()];
      param.toImage(params, image);
      int c = shape.dim(0);
      int h = shape.dim(1);
      int w = shape.dim(2);
      int wf = w / 2 + 1;
      double[][] t = new double[c][];
      for (int ch = 0; ch < c; ch++) {
        float[] scaled = new float[2 * h * wf];
        for (int ky = 0; ky < h; ky++) {
          for (int kx = 0; kx < wf; kx++) {
            double f = Math.sqrt(Math.pow(fftfreq(ky, h), 2) + Math.pow(kx / (double) w, 2));
            double s = 1 / Math.max(f, 1.0 / Math.max(h, w)) * Math.sqrt(h * w) / (h * w) / 4;
            int k = ky * wf + kx;
            scaled[k] = (float) (params[ch * 2 * h * wf + k] * s);
            scaled[h * wf + k] = (float) (params[ch * 2 * h * wf + h * wf + k] * s);
          }
        }
        t[ch] = naiveInverse(scaled, 0, h, w);
      }
      double norm = Math.sqrt(0.26 * 0.26 + 0.27 * 0.27 + 0.27 * 0.27);
      double[][] m = {{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}};
      float[] expected = new float[shape.size()];
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0; p < h * w; p++) {
          double v = t[ch][p];
          if (c == 3) v = (m[ch][0] * t[0][p] + m[ch][1] * t[1][p] + m[ch][2] * t[2][p]) / norm;
          expected[ch * h * w + p] = (float) (1 / (1 + Math.exp(-v)));
        }
      }
      OpTesting.assertClose(expected, image, 0, 2e-6, "FFT image " + shape);
      assertEquals(c == 3, param.decorrelated());
    }
  }

  private static double fftfreq(int k, int n) {
    return (k < (n + 1) / 2 ? k : k - n) / (double) n;
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Random rng = new Random(13);
    for (Shape shape :
        new Shape[] {Shape.of(3, 6, 7), Shape.of(3, 8, 8), Shape.of(1, 5, 6), Shape.of(2, 7, 9)}) {
      FftParam param = new FftParam(shape);
      float[] params = ParamTesting.gaussian(param.size(), rng, 1.0);
      ParamTesting.checkGradient(param, params, 14, 1e-2, 2e-3, 80);
    }
    FftParam steep = new FftParam(Shape.of(3, 28, 28), 1.5, 0.01, true);
    ParamTesting.checkGradient(
        steep, ParamTesting.gaussian(steep.size(), rng, 0.05), 15, 1e-2, 5e-3, 40);
  }

  @Test
  void imaginaryPartsAtSelfConjugatePositionsHaveNoEffect() {
    FftParam param = new FftParam(Shape.of(1, 4, 6));
    float[] params = ParamTesting.gaussian(param.size(), new Random(16), 1.0);
    float[] grad = new float[param.size()];
    param.backward(params, ParamTesting.uniform(24, new Random(17), -1f, 1f), grad);
    int wf = 4;
    int imaginary = 4 * wf;
    for (int ky = 0; ky < 4; ky++) {
      for (int kx = 0; kx < wf; kx++) {
        boolean selfConjugate = (ky == 0 || ky == 2) && (kx == 0 || kx == 3);
        float g = grad[imaginary + ky * wf + kx];
        if (selfConjugate) {
          assertEquals(0f, g, "Im X[" + ky + ", " + kx + "]");
        } else {
          assertTrue(g != 0f, "Im X[" + ky + ", " + kx + "] should matter");
        }
      }
    }
    // In the self-mirrored columns, Im X[ky] and Im X[-ky] act only through their difference.
    assertEquals(grad[imaginary + wf], -grad[imaginary + 3 * wf], 1e-6);
  }

  @Test
  void initialImagesAreGrayNoiseInOpenUnitInterval() {
    for (Shape shape :
        new Shape[] {Shape.of(3, 224, 224), Shape.of(1, 28, 28), Shape.of(3, 9, 11)}) {
      FftParam param = new FftParam(shape);
      assertEquals(shape.dim(0) * 2 * shape.dim(1) * (shape.dim(2) / 2 + 1), param.size());
      float[] params = new float[param.size()];
      param.init(params, new Random(18));
      float[] image = new float[shape.size()];
      param.toImage(params, image);
      double min = 1;
      double max = 0;
      for (float v : image) {
        assertTrue(v > 0 && v < 1, "image value " + v);
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assertTrue(
          max - min > 1e-4 && max - min < 0.2, "faint noise around 0.5: " + min + ".." + max);
    }
  }

  @Test
  void decorrelationNeedsThreeChannels() {
    assertThrows(ModelException.class, () -> new FftParam(Shape.of(1, 8, 8), 1, 0.01, true));
    assertTrue(new FftParam(Shape.of(3, 8, 8)).describe().contains("decorrelated"));
    assertTrue(!new FftParam(Shape.of(4, 8, 8)).decorrelated());
  }

  private static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
    return f;
  }
}
