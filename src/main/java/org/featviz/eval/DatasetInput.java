package org.featviz.eval;

import org.featviz.data.Dataset;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;

/**
 * The check that a dataset's images are what a graph's input takes, for everything that runs a
 * model over data.
 */
final class DatasetInput {
  private DatasetInput() {}

  /**
   * The graph's input name, after checking that it is [N, C, H, W] with [C, H, W] the dataset's
   * image shape; else a ModelException naming both, followed by {@code context} (may be empty).
   */
  static String check(Graph graph, Dataset data, String context) {
    String input = graph.input().name();
    Shape expected = graph.shape(input);
    Shape image = Shape.of(data.channels(), data.height(), data.width());
    if (expected.rank() != 4
        || !Shape.of(expected.dim(1), expected.dim(2), expected.dim(3)).equals(image)) {
      throw new ModelException(
          graph.source()
              + ": input '"
              + input
              + "' is "
              + expected
              + ", but "
              + data.name()
              + " images are "
              + image
              + context);
    }
    return input;
  }
}
