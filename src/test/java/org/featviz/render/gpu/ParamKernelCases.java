package org.featviz.render.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.device.MathMode;
import org.featviz.ir.Shape;
import org.featviz.param.FftParam;
import org.featviz.param.ImageParam;
import org.featviz.param.PixelParam;
import org.featviz.param.TransformConfig;
import org.featviz.param.TransformSample;
import org.junit.jupiter.api.Test;

/**
 * The device image parameterizations ({@link DeviceImageParam}, with their last stage fused into
 * the transform kernels) against their CPU twins on fresh random parameters: the pixel
 * parameterization against PixelParam, and the whole spectral parameterization (spectrum weighting,
 * inverse DFT as GEMMs, color decorrelation and sigmoid) against FftParam.toImage and
 * FftParam.backward; plus the spectrum weighting kernel of cuda/param.cu alone. The transform runs
 * as the identity with mean 0 and std 1, so its output must equal the image exactly, and the
 * gradient at the image enters as the "added" image gradient with a zero network gradient. Shapes:
 * images [B, C, H, W]; spectra [B, C, 2, H, W / 2 + 1].
 */
public abstract class ParamKernelCases extends DeviceCases {
  private static final double TOL = 1e-6;

  private final Random rng = new Random(505);

  /**
   * Parameters spread over the sigmoid's whole range, including values that saturate it in float.
   */
  private float[] spreadParams(int n) {
    float[] p = KernelChecks.uniform(rng, n, -8f, 8f);
    float[] extremes = {0f, -20f, 20f, -100f, 100f, -1e-3f};
    System.arraycopy(extremes, 0, p, 0, Math.min(extremes.length, n));
    return p;
  }

  /**
   * The device's image and parameter gradient for params [B, P] and a gradient at the image [B, C,
   * H, W].
   */
  private float[][] onDevice(ImageParam param, int batch, float[] params, float[] gradImage) {
    Shape shape = param.imageShape();
    TransformKernels.Dims d =
        new TransformKernels.Dims(
            batch, shape.dim(0), shape.dim(1), shape.dim(2), shape.dim(1), shape.dim(2));
    TransformSample[] identity = new TransformSample[batch];
    Arrays.fill(identity, TransformSample.identity());
    int images = (int) d.imageSize();
    try (DeviceImageParam dp = DeviceImageParam.of(device, param, batch);
        DeviceBuffer p = device.toDevice(params);
        DeviceBuffer image = device.allocateFloats(images);
        DeviceBuffer out = device.allocateFloats(images);
        DeviceBuffer samples = device.toDevice(TransformKernels.pack(identity));
        DeviceBuffer mean = device.toDevice(new float[] {0f});
        DeviceBuffer std = device.toDevice(new float[] {1f});
        DeviceBuffer zero = device.toDevice(new float[images]);
        DeviceBuffer gi = device.toDevice(gradImage);
        DeviceBuffer gp = device.allocateFloats(params.length)) {
      DeviceBuffer pre = dp.preActivation(p);
      TransformKernels.forward(
          device, d, TransformConfig.none(), dp.stage(), pre, image, samples, mean, std, 1, out);
      float[] img = device.copyToHostFloats(image, images);
      KernelChecks.assertExact(
          img, device.copyToHostFloats(out, images), "identity transform of the image");
      TransformKernels.backward(
          device, d, dp.stage(), zero, samples, std, 1, image, gi, dp.preGradient(gp));
      dp.backwardFromPre(gp);
      return new float[][] {img, device.copyToHostFloats(gp, params.length)};
    }
  }

  /** The CPU's image and parameter gradient, image after image. */
  private static float[][] onCpu(ImageParam param, int batch, float[] params, float[] gradImage) {
    int per = param.imageShape().size();
    int size = param.size();
    float[] image = new float[batch * per];
    float[] grad = new float[batch * size];
    for (int b = 0; b < batch; b++) {
      float[] img = new float[per];
      float[] g = new float[size];
      param.toImage(KernelChecks.slice(params, b * size, size), img);
      param.backward(
          KernelChecks.slice(params, b * size, size),
          KernelChecks.slice(gradImage, b * per, per),
          g);
      System.arraycopy(img, 0, image, b * per, per);
      System.arraycopy(g, 0, grad, b * size, size);
    }
    return new float[][] {image, grad};
  }

  @Test
  void pixelParameterizationMatchesPixelParam() {
    for (Shape image : new Shape[] {Shape.of(3, 5, 7), Shape.of(1, 1, 257), Shape.of(2, 16, 16)}) {
      int batch = 3;
      PixelParam param = new PixelParam(image);
      float[] params = spreadParams(batch * image.size());
      float[] gradImage = KernelChecks.uniform(rng, batch * image.size(), -1f, 1f);
      float[][] expected = onCpu(param, batch, params, gradImage);
      float[][] actual = onDevice(param, batch, params, gradImage);
      KernelChecks.assertClose(expected[0], actual[0], TOL, "pixel " + image + ": image");
      KernelChecks.assertClose(
          expected[1], actual[1], TOL, "pixel " + image + ": parameter gradient");
    }
  }

  @Test
  void spectrumWeightIsAnExactProductInPlaceOrNot() {
    int h = 6;
    int w = 7;
    float[] weight = FftParam.spectrumWeight(h, w, 1.0);
    int half = weight.length;
    int count = 2 * 3 * 2;
    float[] x = KernelChecks.uniform(rng, count * half, -1f, 1f);
    float[] expected = new float[x.length];
    for (int i = 0; i < x.length; i++) expected[i] = x[i] * weight[i % half];
    try (DeviceBuffer xd = device.toDevice(x);
        DeviceBuffer wd = device.toDevice(weight);
        DeviceBuffer yd = device.allocateFloats(x.length)) {
      ParamKernels.spectrumWeight(device, xd, wd, yd, count, half);
      KernelChecks.assertExact(expected, device.copyToHostFloats(yd, x.length), "spectrum weight");
      ParamKernels.spectrumWeight(device, xd, wd, xd, count, half);
      KernelChecks.assertExact(
          expected, device.copyToHostFloats(xd, x.length), "spectrum weight in place");
    }
  }

  /**
   * FftParam forward and backward through the device parameterization (GEMM inverse DFT, fused last
   * stage).
   */
  private void compareWithFftParam(int batch, int channels, int h, int w, boolean decorrelate) {
    FftParam param = new FftParam(Shape.of(channels, h, w), 1.0, 0.5, decorrelate);
    float[] params = new float[batch * param.size()];
    for (int b = 0; b < batch; b++) {
      float[] p = new float[param.size()];
      param.init(p, rng); // std 0.5: images well inside (0, 1) but far from flat gray
      System.arraycopy(p, 0, params, b * param.size(), p.length);
    }
    float[] gradImage = KernelChecks.uniform(rng, batch * channels * h * w, -1f, 1f);
    float[][] expected = onCpu(param, batch, params, gradImage);
    float[][] actual = onDevice(param, batch, params, gradImage);
    String what = "fft " + channels + "x" + h + "x" + w + (decorrelate ? " decorrelated" : "");
    KernelChecks.assertClose(expected[0], actual[0], 1e-5, what + ": image");
    KernelChecks.assertClose(expected[1], actual[1], 1e-5, what + ": parameter gradient");
  }

  @Test
  void spectralParameterizationWithColorDecorrelationMatchesFftParam() {
    compareWithFftParam(2, 3, 6, 8, true);
    compareWithFftParam(2, 3, 5, 7, true);
  }

  @Test
  void spectralParameterizationWithoutDecorrelationMatchesFftParam() {
    compareWithFftParam(3, 1, 6, 6, false);
    compareWithFftParam(2, 2, 5, 4, false);
  }

  @Test
  void theSpectralParameterizationStaysFp32WhateverTheNetworksMathMode() {
    // A BF16 inverse DFT would be off by about 1e-2; the device's mode must be back after each
    // call.
    MathMode before = device.mathMode();
    try {
      device.setMathMode(MathMode.BF16);
      compareWithFftParam(2, 3, 6, 8, true);
      assertEquals(MathMode.BF16, device.mathMode());
    } finally {
      device.setMathMode(before);
    }
  }
}
