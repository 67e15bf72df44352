package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.featviz.Model;
import org.featviz.data.Dataset;
import org.featviz.data.DatasetException;
import org.featviz.data.FashionMnist;
import org.featviz.eval.ActivationSamples;
import org.featviz.objective.Whitening;

/**
 * The whitenings that the whitened objectives of one render or sweep measure in: estimated once per
 * layer (on the CPU, {@link Model#activationSamples}) from the first {@code images} Fashion-MNIST
 * test images, the dataset featviz reads, and kept for the run, with a line on standard error for
 * each.
 */
final class DataWhitenings implements Function<String, Whitening> {
  private final Model model;
  private final Path dataDir;
  private final int images;
  private final String objective;
  private final PrintWriter notes;
  private final Map<String, Whitening> byLayer = new HashMap<>();
  private Dataset data;

  /** {@code objective} (the kind) names what asks for the whitening in error messages. */
  DataWhitenings(Model model, Path dataDir, int images, String objective, PrintWriter notes) {
    this.model = model;
    this.dataDir = dataDir;
    this.images = images;
    this.objective = objective;
    this.notes = notes;
  }

  /** The whitening of {@code layer} (a value name), estimated on first use. */
  @Override
  public Whitening apply(String layer) {
    Whitening w = byLayer.get(layer);
    if (w == null) {
      w = estimate(layer);
      byLayer.put(layer, w);
    }
    return w;
  }

  private Whitening estimate(String layer) {
    Dataset d = data();
    long start = System.nanoTime();
    ActivationSamples s;
    try (Progress progress = new Progress("whitening " + layer, images, "images", notes)) {
      s = model.activationSamples(layer, d, images, progress);
    }
    Whitening w = Whitening.estimate(s.samples());
    notes.printf(
        "whitening of %s estimated from %d %s images: %d samples of %d units, %d kept (%.1f s, CPU)%n",
        layer,
        images,
        d.name(),
        s.offered(),
        s.units(),
        s.samples().length,
        (System.nanoTime() - start) / 1e9);
    notes.flush();
    return w;
  }

  private Dataset data() {
    if (data == null) {
      try {
        data = FashionMnist.load(dataDir, FashionMnist.Split.TEST);
      } catch (DatasetException e) {
        throw new DatasetException(
            "objective "
                + objective
                + " estimates its whitening from the Fashion-MNIST test"
                + " images in "
                + dataDir
                + " (--data-dir): "
                + e.getMessage(),
            e);
      }
    }
    return data;
  }
}
