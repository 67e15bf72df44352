package org.featviz.model;

import java.util.Arrays;
import java.util.Map;
import org.featviz.ir.ModelException;
import org.featviz.ir.Tensor;

/**
 * How images with pixel values in [0, 1] become network input: x' = (x - mean[c]) / std[c] per
 * channel. Defaults come from the model's metadata ({@code featviz.input.mean} and {@code
 * featviz.input.std}, comma-separated, one value or one per channel); a model without them takes
 * pixels as they are.
 */
public record InputNormalization(float[] mean, float[] std) {
  public static final String MEAN_KEY = "featviz.input.mean";
  public static final String STD_KEY = "featviz.input.std";

  public InputNormalization {
    if (mean.length != std.length || mean.length == 0) {
      throw new ModelException(
          "input normalization needs as many means as standard deviations (got "
              + mean.length
              + " and "
              + std.length
              + ")");
    }
    for (float s : std) {
      if (!(s > 0) || !Float.isFinite(s)) {
        throw new ModelException(
            "input normalization: standard deviation " + s + " is not a finite number > 0");
      }
    }
    for (float m : mean) {
      if (!Float.isFinite(m))
        throw new ModelException("input normalization: mean " + m + " is not finite");
    }
    mean = mean.clone();
    std = std.clone();
  }

  /**
   * The normalization torchvision's ImageNet models are trained with: mean (0.485, 0.456, 0.406),
   * standard deviation (0.229, 0.224, 0.225), red, green, blue.
   */
  public static final InputNormalization IMAGENET =
      new InputNormalization(
          new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

  /** The names {@link #named} knows, as a user would type them. */
  public static final String NAMES = "imagenet, none";

  /**
   * A normalization by name: "imagenet" ({@link #IMAGENET}) or "none" (pixels as they are); null
   * for any other name.
   */
  public static InputNormalization named(String name) {
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "imagenet" -> IMAGENET;
      case "none" -> identity();
      default -> null;
    };
  }

  public static InputNormalization identity() {
    return new InputNormalization(new float[] {0f}, new float[] {1f});
  }

  public static InputNormalization fromMetadata(Map<String, String> metadata, String source) {
    String mean = metadata.get(MEAN_KEY);
    String std = metadata.get(STD_KEY);
    if (mean == null && std == null) return identity();
    if (mean == null || std == null) {
      throw new ModelException(
          source + ": metadata has only one of " + MEAN_KEY + " and " + STD_KEY);
    }
    return new InputNormalization(parse(mean, MEAN_KEY, source), parse(std, STD_KEY, source));
  }

  private static float[] parse(String text, String key, String source) {
    String[] parts = text.split(",");
    float[] v = new float[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) v[i] = Float.parseFloat(parts[i].trim());
    } catch (NumberFormatException e) {
      throw new ModelException(
          source + ": metadata " + key + " = '" + text + "' is not a list of numbers");
    }
    return v;
  }

  /** Normalized copy of images [N, C, H, W]. */
  public Tensor apply(Tensor images) {
    int channels = images.shape().dim(1);
    checkChannels(channels);
    float[] x = images.data();
    float[] y = new float[x.length];
    int plane = images.shape().size(2, images.shape().rank());
    for (int i = 0; i < x.length; i++) {
      int c = mean.length == 1 ? 0 : (i / plane) % channels;
      y[i] = (x[i] - mean[c]) / std[c];
    }
    return Tensor.of(images.shape(), y);
  }

  /**
   * The chain rule through {@link #apply}: d loss / d images [N, C, H, W] = gradNormalized /
   * std[c].
   */
  public Tensor backward(Tensor gradNormalized) {
    int channels = gradNormalized.shape().dim(1);
    int plane = gradNormalized.shape().size(2, gradNormalized.shape().rank());
    float[] g = gradNormalized.data();
    float[] out = new float[g.length];
    for (int n = 0; n < g.length / (channels * plane); n++) {
      int offset = n * channels * plane;
      for (int i = 0; i < channels * plane; i++)
        out[offset + i] = g[offset + i] / std[channelOf(i / plane, channels)];
    }
    return Tensor.of(gradNormalized.shape(), out);
  }

  /** One image: out [C, H, W] = (image - mean[c]) / std[c]; plane = H * W. out may be image. */
  public void apply(float[] image, int channels, int plane, float[] out) {
    for (int i = 0; i < channels * plane; i++) {
      int c = channelOf(i / plane, channels);
      out[i] = (image[i] - mean[c]) / std[c];
    }
  }

  /**
   * One image, the chain rule through {@link #apply(float[], int, int, float[])}: gradImage = grad
   * / std[c].
   */
  public void backward(float[] gradNormalized, int channels, int plane, float[] gradImage) {
    for (int i = 0; i < channels * plane; i++)
      gradImage[i] = gradNormalized[i] / std[channelOf(i / plane, channels)];
  }

  /** Which mean/std entry applies to channel c of an input with this many channels. */
  private int channelOf(int c, int channels) {
    checkChannels(channels);
    return mean.length == 1 ? 0 : c;
  }

  /**
   * Throws a {@link ModelException} where this normalization cannot apply to an input of {@code
   * channels} channels (it has neither one value nor one per channel).
   */
  public void checkChannels(int channels) {
    if (mean.length != 1 && mean.length != channels) {
      throw new ModelException(
          "input normalization has "
              + mean.length
              + " values but the input has "
              + channels
              + " channels");
    }
  }

  @Override
  public String toString() {
    return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
  }
}
