package org.featviz.render;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.featviz.ir.Shape;
import org.featviz.report.Png;

/**
 * One optimized image and how it went. {@code objectiveValue} and {@code activation} are measured
 * on the final image without transforms; status OK, DEAD or NAN (the optimization diverged). DEAD:
 * nothing moved the image (the objective's gradient was zero from the start, or zero even through
 * the redirected ReLU), or the target's unit is exactly zero at every element of its layer on the
 * final image (however far the image moved, it shows nothing of the unit: a unit that could not be
 * revived from silence, or not within the steps given).
 *
 * <pre>{@code
 * for (RenderResult r : model.render(targets, options)) {
 *   if (r.status() == RenderResult.Status.OK) r.writePng(Path.of(r.target().label() + ".png"), 4);
 * }
 * }</pre>
 */
public record RenderResult(
    RenderTarget target,
    float[] image,
    Shape imageShape,
    Status status,
    double objectiveValue,
    double activation,
    long seed,
    int steps) {
  public RenderResult {
    image = image.clone();
  }

  /** The image [C, H, W] in [0, 1], a copy (a result holds nothing a caller can change). */
  @Override
  public float[] image() {
    return image.clone();
  }

  /**
   * The image as a picture, each pixel {@code upscale} x {@code upscale} pixels (grey for one
   * channel, else RGB).
   */
  public BufferedImage toImage(int upscale) {
    return Png.toImage(image, imageShape, upscale);
  }

  /** Writes the image as a PNG, magnified {@code upscale} times. */
  public void writePng(Path file, int upscale) {
    Png.write(image, imageShape, upscale, file);
  }

  /**
   * How a unit's optimization went; {@link #label()} (also its toString) is the word every output
   * uses.
   */
  public enum Status {
    OK,
    DEAD,
    NAN;

    /**
     * "ok", "dead" or "nan": as results.json, results.csv, results.jsonl and the summaries write
     * it.
     */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
      return label();
    }
  }
}
