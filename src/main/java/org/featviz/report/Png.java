package org.featviz.report;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.featviz.ir.Shape;

/**
 * Writes images [C, H, W] with values in [0, 1] as PNG: 1 channel as 8-bit grayscale, 3 channels as
 * RGB, any other count as grayscale of its first channel. Values are clamped to [0, 1] and rounded
 * to the nearest of 256 levels (NaN becomes 0). An integer upscale factor repeats each pixel
 * (nearest neighbour), since 28 x 28 images are tiny.
 */
public final class Png {
  static {
    Headless.ensure();
  }

  private Png() {}

  /** The 8-bit level of a value in [0, 1]. */
  public static int level(float v) {
    if (!(v > 0)) return 0;
    if (v >= 1) return 255;
    return Math.round(v * 255);
  }

  /**
   * image [C, H, W] (shape [C, H, W]) as a gray or RGB picture of (H * upscale) x (W * upscale).
   */
  public static BufferedImage toImage(float[] image, Shape shape, int upscale) {
    if (shape.rank() != 3)
      throw new IllegalArgumentException("PNG needs an image shape [C, H, W], got " + shape);
    if (upscale < 1) throw new IllegalArgumentException("upscale must be >= 1, got " + upscale);
    int channels = shape.dim(0);
    int h = shape.dim(1);
    int w = shape.dim(2);
    if (image.length < shape.size()) {
      throw new IllegalArgumentException(
          "image has " + image.length + " values, shape " + shape + " needs " + shape.size());
    }
    int plane = h * w;
    boolean rgb = channels == 3;
    BufferedImage out =
        new BufferedImage(
            w * upscale,
            h * upscale,
            rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = out.getRaster();
    int bands = rgb ? 3 : 1;
    int[] pixel = new int[bands];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int b = 0; b < bands; b++) pixel[b] = level(image[b * plane + y * w + x]);
        for (int dy = 0; dy < upscale; dy++) {
          for (int dx = 0; dx < upscale; dx++)
            raster.setPixel(x * upscale + dx, y * upscale + dy, pixel);
        }
      }
    }
    return out;
  }

  public static void write(float[] image, Shape shape, int upscale, Path file) {
    write(toImage(image, shape, upscale), file);
  }

  /** Writes any picture as PNG, creating the parent folder. */
  public static void write(BufferedImage picture, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      if (!ImageIO.write(picture, "png", file.toFile()))
        throw new IOException("no PNG writer for this image type");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write PNG " + file + ": " + e.getMessage(), e);
    }
  }
}
