package org.featviz.render;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.featviz.analysis.RepresentativeSubstitution;
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
 * <p>For a target with a unit, {@code rs} is the unit's Representative Substitution on the final
 * image without transforms (its layer's units above and tied with it, conv channels as spatial
 * means), null where the layer's responses are not all finite or the target has no unit; {@code
 * rsTrajectory} the same counts every {@link RenderOptions#rsEvery()} steps during the optimization
 * (step s: the image after s updates, measured on that step's transformed input, as the objective
 * sees it; steps whose responses are not finite are left out). Both renderers fill them alike: the
 * CPU counts on the host, the device in its objective kernels.
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
    int steps,
    RepresentativeSubstitution rs,
    List<RsPoint> rsTrajectory) {
  public RenderResult {
    image = image.clone();
    rsTrajectory = rsTrajectory == null ? List.of() : List.copyOf(rsTrajectory);
  }

  /** A result without Representative Substitution counts. */
  public RenderResult(
      RenderTarget target,
      float[] image,
      Shape imageShape,
      Status status,
      double objectiveValue,
      double activation,
      long seed,
      int steps) {
    this(target, image, imageShape, status, objectiveValue, activation, seed, steps, null, null);
  }

  /** The target unit's RS counts after {@code step} optimization steps. */
  public record RsPoint(int step, RepresentativeSubstitution counts) {
    public RsPoint {
      if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
      if (counts == null) throw new IllegalArgumentException("no counts at step " + step);
    }
  }

  /**
   * The trajectory as results files write it: "step:rs" with rs to 4 decimals, joined by ";"
   * ({@code "0:0.5312;16:0.4062"}); empty where there is none.
   */
  public String rsTrajectoryText() {
    return rsTrajectory.stream()
        .map(p -> String.format(Locale.ROOT, "%d:%.4f", p.step(), p.counts().value()))
        .collect(Collectors.joining(";"));
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
