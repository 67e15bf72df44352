package org.featviz.render.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceCases;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;
import org.featviz.param.ColorDecorrelation;
import org.featviz.param.TransformConfig;
import org.featviz.param.TransformSample;
import org.featviz.param.Transforms;
import org.junit.jupiter.api.Test;

/**
 * transform_forward and transform_backward of cuda/transform.cu against
 * org.featviz.param.Transforms followed by org.featviz.model.InputNormalization, per image, on
 * fresh random images and gradients: for the identity (an exact copy), for draws of Lucid's default
 * augmentation, and for a narrow pad ring on a larger, non-square canvas whose corners read the
 * zero region beyond it. Also the adjoint identity on the device alone, and accumulation. Shapes:
 * image [B, C, H, W], network input [B, C, Ho, Wo].
 */
public abstract class TransformKernelCases extends DeviceCases {
  private static final InputNormalization IMAGENET =
      new InputNormalization(
          new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  /** Relative to the output's scale: the GPU places sampling points in float, the CPU in double. */
  private static final double TOL = 1e-5;

  private final Random rng = new Random(77);

  /** The CPU twin, per image: forward = normalize(transforms.forward(image)). */
  private static float[] cpuForward(
      Transforms t,
      InputNormalization norm,
      float[] images,
      TransformSample[] samples,
      TransformKernels.Dims d) {
    int in = d.channels() * d.height() * d.width();
    int outPlane = d.outHeight() * d.outWidth();
    int out = d.channels() * outPlane;
    float[] result = new float[d.batch() * out];
    for (int b = 0; b < d.batch(); b++) {
      float[] o = new float[out];
      t.forward(KernelChecks.slice(images, b * in, in), samples[b], o);
      norm.apply(o, d.channels(), outPlane, o);
      System.arraycopy(o, 0, result, b * out, out);
    }
    return result;
  }

  /** The CPU twin of the backward: transforms.backward(norm.backward(gradOut)). */
  private static float[] cpuBackward(
      Transforms t,
      InputNormalization norm,
      float[] gradOut,
      TransformSample[] samples,
      TransformKernels.Dims d) {
    int in = d.channels() * d.height() * d.width();
    int outPlane = d.outHeight() * d.outWidth();
    int out = d.channels() * outPlane;
    float[] result = new float[d.batch() * in];
    for (int b = 0; b < d.batch(); b++) {
      float[] g = new float[out];
      norm.backward(KernelChecks.slice(gradOut, b * out, out), d.channels(), outPlane, g);
      float[] gi = new float[in];
      t.backward(g, samples[b], gi);
      System.arraycopy(gi, 0, result, b * in, in);
    }
    return result;
  }

  private float[] deviceForward(
      TransformConfig config,
      InputNormalization norm,
      float[] images,
      TransformSample[] samples,
      TransformKernels.Dims d) {
    try (DeviceBuffer image = device.toDevice(images);
        DeviceBuffer s = device.toDevice(TransformKernels.pack(samples));
        DeviceBuffer mean = device.toDevice(norm.mean());
        DeviceBuffer std = device.toDevice(norm.std());
        DeviceBuffer out = device.allocateFloats(d.outputSize())) {
      TransformKernels.forward(device, d, config, image, s, mean, std, norm.mean().length, out);
      return device.copyToHostFloats(out, (int) d.outputSize());
    }
  }

  /**
   * The device backward; with initial != null it accumulates onto it, otherwise it overwrites
   * garbage.
   */
  private float[] deviceBackward(
      InputNormalization norm,
      float[] gradOut,
      TransformSample[] samples,
      TransformKernels.Dims d,
      float[] initial) {
    float[] start =
        initial != null ? initial : KernelChecks.uniform(rng, (int) d.imageSize(), 5f, 6f);
    try (DeviceBuffer g = device.toDevice(gradOut);
        DeviceBuffer s = device.toDevice(TransformKernels.pack(samples));
        DeviceBuffer std = device.toDevice(norm.std());
        DeviceBuffer gi = device.toDevice(start)) {
      TransformKernels.backward(device, d, g, s, std, norm.std().length, gi, initial != null);
      return device.copyToHostFloats(gi, (int) d.imageSize());
    }
  }

  private TransformSample[] draw(Transforms t, int batch) {
    TransformSample[] s = new TransformSample[batch];
    for (int b = 0; b < batch; b++) s[b] = t.draw(rng);
    return s;
  }

  /** Forward and backward against the CPU for one configuration and canvas. */
  private void compare(
      TransformConfig config,
      InputNormalization norm,
      TransformKernels.Dims d,
      TransformSample[] samples,
      String what) {
    Transforms t =
        new Transforms(
            config, Shape.of(d.channels(), d.height(), d.width()), d.outHeight(), d.outWidth());
    float[] images = KernelChecks.uniform(rng, (int) d.imageSize(), 0f, 1f);
    KernelChecks.assertClose(
        cpuForward(t, norm, images, samples, d),
        deviceForward(config, norm, images, samples, d),
        TOL,
        what + ": forward");
    float[] gradOut = KernelChecks.uniform(rng, (int) d.outputSize(), -1f, 1f);
    KernelChecks.assertClose(
        cpuBackward(t, norm, gradOut, samples, d),
        deviceBackward(norm, gradOut, samples, d, null),
        TOL,
        what + ": backward");
  }

  @Test
  void identityIsAnExactNormalizedCopy() {
    TransformKernels.Dims d = new TransformKernels.Dims(3, 3, 6, 9, 6, 9);
    TransformSample[] samples = {
      TransformSample.identity(), TransformSample.identity(), TransformSample.identity()
    };
    Transforms t = new Transforms(TransformConfig.none(), Shape.of(3, 6, 9));
    float[] images = KernelChecks.uniform(rng, (int) d.imageSize(), 0f, 1f);
    KernelChecks.assertExact(
        IMAGENET.apply(Tensor.of(Shape.of(3, 3, 6, 9), images)).data(),
        deviceForward(TransformConfig.none(), IMAGENET, images, samples, d),
        "identity forward");
    float[] gradOut = KernelChecks.uniform(rng, (int) d.outputSize(), -1f, 1f);
    KernelChecks.assertExact(
        cpuBackward(t, IMAGENET, gradOut, samples, d),
        deviceBackward(IMAGENET, gradOut, samples, d, null),
        "identity backward");
  }

  @Test
  void lucidDefaultDrawsMatchTheCpu() {
    TransformConfig config = TransformConfig.lucidDefaults();
    for (int trial = 0; trial < 3; trial++) {
      TransformKernels.Dims d = new TransformKernels.Dims(3, 3, 12, 12, 12, 12);
      Transforms t = new Transforms(config, Shape.of(3, 12, 12));
      compare(config, IMAGENET, d, draw(t, d.batch()), "Lucid defaults, trial " + trial);
    }
  }

  @Test
  void extremeDrawsOfTheDefaultsMatchTheCpu() {
    // The corners of Lucid's ranges: smallest and largest scale, +-10 degrees, the largest total
    // jitter.
    TransformSample[] samples = {
      new TransformSample(0.9, 10, 6, -6),
      new TransformSample(1.1, -10, -6, 6),
      new TransformSample(0.9, -10, 0, 5),
      new TransformSample(1.1, 7, 3, 0)
    };
    compare(
        TransformConfig.lucidDefaults(),
        IMAGENET,
        new TransformKernels.Dims(4, 3, 10, 10, 10, 10),
        samples,
        "extreme draws");
  }

  @Test
  void narrowPadRingAndZeroRegionOnALargerCanvas() {
    TransformConfig config = TransformConfig.lucidDefaults().withPad(2).withPadValue(0.7f);
    TransformKernels.Dims d = new TransformKernels.Dims(3, 3, 8, 10, 13, 11);
    Transforms t = new Transforms(config, Shape.of(3, 8, 10), 13, 11);
    TransformSample[] samples = {
      new TransformSample(0.9, 10, 3, -2),
      new TransformSample(1.0, 0, 0, 0),
      new TransformSample(1.1, -4, -5, 4)
    };
    // The CPU output of a black image shows which pixels read only the ring (0.7) and only the zero
    // region (0).
    int ring = 0;
    int zero = 0;
    for (TransformSample s : samples) {
      float[] o = new float[3 * 13 * 11];
      t.forward(new float[3 * 8 * 10], s, o);
      for (float v : o) {
        if (v == 0.7f) ring++;
        if (v == 0f) zero++;
      }
    }
    assertTrue(
        ring > 0 && zero > 0,
        "the canvas must read the pad ring (" + ring + ") and beyond it (" + zero + ")");
    compare(config, IMAGENET, d, samples, "pad 2 (0.7) on a 13x11 canvas");
  }

  @Test
  void oneNormalizationValueForEveryChannelAndOtherChannelCounts() {
    InputNormalization single = new InputNormalization(new float[] {0.3f}, new float[] {0.6f});
    TransformConfig config = TransformConfig.lucidDefaults().withPad(3);
    for (int channels : new int[] {1, 2, 5}) {
      TransformKernels.Dims d = new TransformKernels.Dims(2, channels, 7, 9, 8, 6);
      Transforms t = new Transforms(config, Shape.of(channels, 7, 9), 8, 6);
      compare(config, single, d, draw(t, d.batch()), channels + " channels, one mean and std");
    }
  }

  @Test
  void backwardIsTheAdjointOfForward() {
    // forward(x) = A x / std + b: <forward(x) - forward(0), y> = <x, backward(y)>, on the device
    // alone.
    TransformConfig config = TransformConfig.lucidDefaults().withPad(4);
    TransformKernels.Dims d = new TransformKernels.Dims(2, 3, 9, 11, 10, 10);
    Transforms t = new Transforms(config, Shape.of(3, 9, 11), 10, 10);
    TransformSample[] samples = draw(t, d.batch());
    float[] x = KernelChecks.uniform(rng, (int) d.imageSize(), -1f, 1f);
    float[] y = KernelChecks.uniform(rng, (int) d.outputSize(), -1f, 1f);
    float[] fx = deviceForward(config, IMAGENET, x, samples, d);
    float[] f0 = deviceForward(config, IMAGENET, new float[x.length], samples, d);
    float[] by = deviceBackward(IMAGENET, y, samples, d, null);
    double left = 0;
    double right = 0;
    double scale = 0;
    for (int i = 0; i < y.length; i++) {
      left += ((double) fx[i] - f0[i]) * y[i];
      scale += Math.abs(((double) fx[i] - f0[i]) * y[i]);
    }
    for (int i = 0; i < x.length; i++) right += (double) x[i] * by[i];
    assertEquals(left, right, 1e-5 * scale, "<F(x) - F(0), y> vs <x, B(y)>");
  }

  @Test
  void backwardAccumulates() {
    TransformConfig config = TransformConfig.lucidDefaults();
    TransformKernels.Dims d = new TransformKernels.Dims(2, 3, 8, 8, 8, 8);
    Transforms t = new Transforms(config, Shape.of(3, 8, 8));
    TransformSample[] samples = draw(t, d.batch());
    float[] gradOut = KernelChecks.uniform(rng, (int) d.outputSize(), -1f, 1f);
    float[] initial = KernelChecks.uniform(rng, (int) d.imageSize(), -1f, 1f);
    float[] expected = cpuBackward(t, IMAGENET, gradOut, samples, d);
    for (int i = 0; i < expected.length; i++) expected[i] += initial[i];
    KernelChecks.assertClose(
        expected, deviceBackward(IMAGENET, gradOut, samples, d, initial), TOL, "accumulate");
  }

  /** The CPU twin of the last stage: image = sigmoid(pre) or sigmoid(M pre) per image. */
  private static float[] cpuStage(
      TransformKernels.Stage stage, float[] pre, TransformKernels.Dims d) {
    int per = d.channels() * d.height() * d.width();
    int plane = d.height() * d.width();
    float[] image = new float[pre.length];
    for (int b = 0; b < d.batch(); b++) {
      float[] t = KernelChecks.slice(pre, b * per, per);
      float[] mixed = t;
      if (stage == TransformKernels.Stage.DECORRELATED_SIGMOID) {
        mixed = new float[per];
        ColorDecorrelation.forward(t, mixed, plane);
      }
      for (int i = 0; i < per; i++) image[b * per + i] = (float) (1 / (1 + Math.exp(-mixed[i])));
    }
    return image;
  }

  /** The CPU twin of the last stage's backward: gradPre from gradImage at the image s. */
  private static float[] cpuStageBackward(
      TransformKernels.Stage stage, float[] image, float[] gradImage, TransformKernels.Dims d) {
    int per = d.channels() * d.height() * d.width();
    int plane = d.height() * d.width();
    float[] out = new float[image.length];
    for (int b = 0; b < d.batch(); b++) {
      float[] g = new float[per];
      for (int i = 0; i < per; i++) {
        float s = image[b * per + i];
        g[i] = gradImage[b * per + i] * (s * (1 - s));
      }
      if (stage == TransformKernels.Stage.DECORRELATED_SIGMOID) {
        float[] t = new float[per];
        ColorDecorrelation.backward(g, t, plane);
        g = t;
      }
      System.arraycopy(g, 0, out, b * per, per);
    }
    return out;
  }

  /**
   * The fused last stage: forward writes the CPU's image and resamples it; backward adds the
   * image-space gradient given (regularizers') to the resampling's adjoint and goes back through
   * the stage, into a separate buffer or in place of that gradient.
   */
  private void compareFused(TransformKernels.Stage stage, int channels) {
    TransformConfig config = TransformConfig.lucidDefaults().withPad(3);
    TransformKernels.Dims d = new TransformKernels.Dims(3, channels, 9, 10, 11, 8);
    Transforms t = new Transforms(config, Shape.of(channels, 9, 10), 11, 8);
    TransformSample[] samples = draw(t, d.batch());
    InputNormalization norm =
        channels == 3 ? IMAGENET : new InputNormalization(new float[] {0.4f}, new float[] {0.3f});
    float[] pre = KernelChecks.uniform(rng, (int) d.imageSize(), -3f, 3f);
    float[] image = cpuStage(stage, pre, d);
    float[] gradOut = KernelChecks.uniform(rng, (int) d.outputSize(), -1f, 1f);
    float[] extra = KernelChecks.uniform(rng, (int) d.imageSize(), -0.5f, 0.5f);
    float[] atImage = cpuBackward(t, norm, gradOut, samples, d);
    for (int i = 0; i < atImage.length; i++) atImage[i] += extra[i];
    float[] expectedPre = cpuStageBackward(stage, image, atImage, d);
    String what = stage + ", " + channels + " channels";
    try (DeviceBuffer p = device.toDevice(pre);
        DeviceBuffer img = device.allocateFloats(d.imageSize());
        DeviceBuffer s = device.toDevice(TransformKernels.pack(samples));
        DeviceBuffer mean = device.toDevice(norm.mean());
        DeviceBuffer std = device.toDevice(norm.std());
        DeviceBuffer out = device.allocateFloats(d.outputSize());
        DeviceBuffer g = device.toDevice(gradOut);
        DeviceBuffer gi = device.toDevice(extra);
        DeviceBuffer gp = device.toDevice(KernelChecks.uniform(rng, (int) d.imageSize(), 5f, 6f))) {
      TransformKernels.forward(
          device, d, config, stage, p, img, s, mean, std, norm.mean().length, out);
      float[] deviceImage = device.copyToHostFloats(img, (int) d.imageSize());
      KernelChecks.assertClose(image, deviceImage, 1e-6, what + ": image");
      KernelChecks.assertClose(
          cpuForward(t, norm, image, samples, d),
          device.copyToHostFloats(out, (int) d.outputSize()),
          TOL,
          what + ": forward");

      TransformKernels.backward(device, d, stage, g, s, std, norm.std().length, img, gi, gp);
      KernelChecks.assertClose(
          expectedPre,
          device.copyToHostFloats(gp, (int) d.imageSize()),
          TOL,
          what + ": backward into another buffer");
      TransformKernels.backward(device, d, stage, g, s, std, norm.std().length, img, gi, gi);
      KernelChecks.assertClose(
          expectedPre,
          device.copyToHostFloats(gi, (int) d.imageSize()),
          TOL,
          what + ": backward in place of the image gradient");
    }
  }

  @Test
  void fusedSigmoidStageMatchesTheCpu() {
    compareFused(TransformKernels.Stage.SIGMOID, 1);
    compareFused(TransformKernels.Stage.SIGMOID, 5);
  }

  @Test
  void fusedColorDecorrelationStageMatchesTheCpu() {
    compareFused(TransformKernels.Stage.DECORRELATED_SIGMOID, 3);
  }

  @Test
  void colorDecorrelationNeedsThreeChannels() {
    TransformKernels.Dims d = new TransformKernels.Dims(1, 1, 4, 4, 4, 4);
    try (DeviceBuffer b = device.allocateFloats(16);
        DeviceBuffer s = device.allocateFloats(4);
        DeviceBuffer one = device.allocateFloats(1)) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () ->
                  TransformKernels.forward(
                      device,
                      d,
                      TransformConfig.none(),
                      TransformKernels.Stage.DECORRELATED_SIGMOID,
                      b,
                      null,
                      s,
                      one,
                      one,
                      1,
                      b));
      assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
    }
  }
}
