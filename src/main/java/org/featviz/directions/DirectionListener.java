package org.featviz.directions;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;
import org.featviz.render.RenderProgress;

/** What a study tells as it goes; every method has a default that ignores it. */
public interface DirectionListener {
  /** The dataset pass over {@code images} images starts; the result is told each batch's size. */
  default IntConsumer datasetPass(int images) {
    return n -> {};
  }

  /** The pass is done. */
  default void datasetPassDone(int images, String dataset, double seconds) {}

  /** The whitening of {@code layer} is being estimated from {@code images} images. */
  default IntConsumer whitening(String layer, int images) {
    return n -> {};
  }

  /** {@code images} images of {@code layer} are rendered; the result is told after every step. */
  default RenderProgress rendering(String layer, int images, int steps) {
    return (done, total) -> {};
  }

  /** A layer is measured and its rows and comparisons are written. */
  default void layerDone(String layer, List<DirectionRow> rows, List<Comparison> comparisons) {}

  /** The tables and pictures are in the folder. */
  default void written(Path csv, Path summary, List<Path> pictures) {}
}
