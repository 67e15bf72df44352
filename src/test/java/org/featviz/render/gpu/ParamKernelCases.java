package org.featviz.render.gpu;

import java.util.Random;
import java.util.function.BiConsumer;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Shape;
import org.featviz.param.ColorDecorrelation;
import org.featviz.param.FftParam;
import org.featviz.param.InverseRealDft2d;
import org.featviz.param.PixelParam;
import org.junit.jupiter.api.Test;

/**
 * The kernels of cuda/param.cu against their CPU twins on fresh random parameters: the pixel parameterization
 * (sigmoid forward and backward) against PixelParam; the color decorrelation with sigmoid against
 * ColorDecorrelation; and the whole spectral parameterization against FftParam.toImage and FftParam.backward, with
 * the kernels doing the spectrum weighting and the last stage, and InverseRealDft2d on the host standing in for the
 * inverse DFT that the GPU runs as cuBLAS GEMMs. Shapes: images [B, C, H, W]; spectra [B, C, 2, H, W / 2 + 1].
 */
abstract class ParamKernelCases extends DeviceCases {
  private static final double TOL = 1e-6;

  private final Random rng = new Random(505);

  /** Parameters spread over the sigmoid's whole range, including values that saturate it in float. */
  private float[] spreadParams(int n) {
    float[] p = KernelChecks.uniform(rng, n, -8f, 8f);
    float[] extremes = {0f, -20f, 20f, -100f, 100f, -1e-3f};
    System.arraycopy(extremes, 0, p, 0, Math.min(extremes.length, n));
    return p;
  }

  /** Uploads input, runs kernel(input, output) and returns the output's first `outputs` floats. */
  private float[] run(float[] input, BiConsumer<DeviceBuffer, DeviceBuffer> kernel, int outputs) {
    try (DeviceBuffer in = device.toDevice(input); DeviceBuffer out = device.allocateFloats(outputs)) {
      kernel.accept(in, out);
      return device.copyToHostFloats(out, outputs);
    }
  }

  @Test
  void pixelSigmoidForwardAndBackwardMatchPixelParam() {
    Shape image = Shape.of(3, 5, 7);
    int batch = 3;
    int n = image.size();
    PixelParam param = new PixelParam(image);
    float[] params = spreadParams(batch * n);
    float[] gradImage = KernelChecks.uniform(rng, batch * n, -1f, 1f);
    float[] expectedImage = new float[batch * n];
    float[] expectedGrad = new float[batch * n];
    for (int b = 0; b < batch; b++) {
      float[] img = new float[n];
      float[] g = new float[n];
      param.toImage(KernelChecks.slice(params, b * n, n), img);
      param.backward(KernelChecks.slice(params, b * n, n), KernelChecks.slice(gradImage, b * n, n), g);
      System.arraycopy(img, 0, expectedImage, b * n, n);
      System.arraycopy(g, 0, expectedGrad, b * n, n);
    }
    try (DeviceBuffer p = device.toDevice(params); DeviceBuffer img = device.allocateFloats(batch * n);
        DeviceBuffer gi = device.toDevice(gradImage); DeviceBuffer gp = device.allocateFloats(batch * n)) {
      ParamKernels.sigmoidForward(device, p, img, batch * n);
      ParamKernels.sigmoidBackward(device, img, gi, gp, batch * n);
      KernelChecks.assertClose(expectedImage, device.copyToHostFloats(img, batch * n), TOL, "sigmoid forward");
      KernelChecks.assertClose(expectedGrad, device.copyToHostFloats(gp, batch * n), TOL, "sigmoid backward");
    }
  }

  @Test
  void sigmoidOfOneElementAndOfSizesAroundTheBlock() {
    for (int n : new int[] {1, 255, 257}) {
      float[] params = spreadParams(n);
      float[] expected = new float[n];
      new PixelParam(Shape.of(1, 1, n)).toImage(params, expected);
      KernelChecks.assertClose(expected, run(params,
          (in, out) -> ParamKernels.sigmoidForward(device, in, out, n), n), TOL, "sigmoid of " + n);
    }
  }

  @Test
  void decorrelateSigmoidMatchesColorDecorrelation() {
    int batch = 3;
    int plane = 4 * 6;
    float[] t = KernelChecks.uniform(rng, batch * 3 * plane, -4f, 4f);
    float[] gradImage = KernelChecks.uniform(rng, batch * 3 * plane, -1f, 1f);
    float[] expectedImage = new float[t.length];
    float[] expectedGrad = new float[t.length];
    for (int b = 0; b < batch; b++) {
      float[] rgb = new float[3 * plane];
      ColorDecorrelation.forward(KernelChecks.slice(t, b * 3 * plane, 3 * plane), rgb, plane);
      float[] g = new float[3 * plane];
      for (int i = 0; i < rgb.length; i++) {
        rgb[i] = (float) (1 / (1 + Math.exp(-rgb[i])));  // org.featviz.param.Sigmoid.of
        g[i] = gradImage[b * 3 * plane + i] * (rgb[i] * (1 - rgb[i]));  // Sigmoid.slope
      }
      float[] gt = new float[3 * plane];
      ColorDecorrelation.backward(g, gt, plane);
      System.arraycopy(rgb, 0, expectedImage, b * 3 * plane, 3 * plane);
      System.arraycopy(gt, 0, expectedGrad, b * 3 * plane, 3 * plane);
    }
    try (DeviceBuffer td = device.toDevice(t); DeviceBuffer img = device.allocateFloats(t.length);
        DeviceBuffer gi = device.toDevice(gradImage); DeviceBuffer gt = device.allocateFloats(t.length)) {
      ParamKernels.decorrelateSigmoidForward(device, td, img, batch, plane);
      ParamKernels.decorrelateSigmoidBackward(device, img, gi, gt, batch, plane);
      KernelChecks.assertClose(expectedImage, device.copyToHostFloats(img, t.length), TOL, "decorrelate forward");
      KernelChecks.assertClose(expectedGrad, device.copyToHostFloats(gt, t.length), TOL, "decorrelate backward");
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
    try (DeviceBuffer xd = device.toDevice(x); DeviceBuffer wd = device.toDevice(weight);
        DeviceBuffer yd = device.allocateFloats(x.length)) {
      ParamKernels.spectrumWeight(device, xd, wd, yd, count, half);
      KernelChecks.assertExact(expected, device.copyToHostFloats(yd, x.length), "spectrum weight");
      ParamKernels.spectrumWeight(device, xd, wd, xd, count, half);
      KernelChecks.assertExact(expected, device.copyToHostFloats(xd, x.length), "spectrum weight in place");
    }
  }

  /** FftParam forward and backward with the kernels around a host inverse DFT, for both last stages. */
  private void compareWithFftParam(int batch, int channels, int h, int w, boolean decorrelate) {
    FftParam param = new FftParam(Shape.of(channels, h, w), 1.0, 0.5, decorrelate);
    InverseRealDft2d dft = param.dft();
    int spectrum = dft.spectrumSize();
    int half = spectrum / 2;
    int perImage = channels * h * w;
    int plane = h * w;
    float[] params = new float[batch * param.size()];
    for (int b = 0; b < batch; b++) {
      float[] p = new float[param.size()];
      param.init(p, rng);  // std 0.5: images well inside (0, 1) but far from flat gray
      System.arraycopy(p, 0, params, b * param.size(), p.length);
    }
    float[] gradImage = KernelChecks.uniform(rng, batch * perImage, -1f, 1f);
    float[] expectedImage = new float[batch * perImage];
    float[] expectedGrad = new float[params.length];
    for (int b = 0; b < batch; b++) {
      float[] img = new float[perImage];
      float[] g = new float[param.size()];
      param.toImage(KernelChecks.slice(params, b * param.size(), param.size()), img);
      param.backward(KernelChecks.slice(params, b * param.size(), param.size()),
          KernelChecks.slice(gradImage, b * perImage, perImage), g);
      System.arraycopy(img, 0, expectedImage, b * perImage, perImage);
      System.arraycopy(g, 0, expectedGrad, b * param.size(), g.length);
    }
    String what = "fft " + channels + "x" + h + "x" + w + (decorrelate ? " decorrelated" : "");
    try (DeviceBuffer p = device.toDevice(params); DeviceBuffer weight = device.toDevice(param.weight());
        DeviceBuffer scaled = device.allocateFloats(params.length);
        DeviceBuffer t = device.allocateFloats(batch * perImage);
        DeviceBuffer image = device.allocateFloats(batch * perImage);
        DeviceBuffer gi = device.toDevice(gradImage); DeviceBuffer gt = device.allocateFloats(batch * perImage);
        DeviceBuffer gs = device.allocateFloats(params.length)) {
      int count = batch * channels * 2;
      ParamKernels.spectrumWeight(device, p, weight, scaled, count, half);
      float[] hostScaled = device.copyToHostFloats(scaled, params.length);
      float[] hostT = new float[batch * perImage];
      for (int k = 0; k < batch * channels; k++) dft.forward(hostScaled, k * spectrum, hostT, k * plane);
      device.copyToDevice(hostT, t);
      if (decorrelate) {
        ParamKernels.decorrelateSigmoidForward(device, t, image, batch, plane);
        ParamKernels.decorrelateSigmoidBackward(device, image, gi, gt, batch, plane);
      } else {
        ParamKernels.sigmoidForward(device, t, image, batch * perImage);
        ParamKernels.sigmoidBackward(device, image, gi, gt, batch * perImage);
      }
      KernelChecks.assertClose(expectedImage, device.copyToHostFloats(image, batch * perImage), TOL,
          what + ": image");
      float[] hostGt = device.copyToHostFloats(gt, batch * perImage);
      float[] hostGs = new float[params.length];
      for (int k = 0; k < batch * channels; k++) dft.adjoint(hostGt, k * plane, hostGs, k * spectrum);
      device.copyToDevice(hostGs, gs);
      ParamKernels.spectrumWeight(device, gs, weight, gs, count, half);
      KernelChecks.assertClose(expectedGrad, device.copyToHostFloats(gs, params.length), 1e-5,
          what + ": parameter gradient");
    }
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
}
