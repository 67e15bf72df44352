package org.featviz.eval;

import java.util.List;

/**
 * The result of running a classifier over a labelled split: the predicted class of each image, the confusion
 * matrix (rows: true class, columns: predicted class) and the time taken.
 */
public record Evaluation(int[] predictions, int[][] confusion, List<String> classNames, double seconds) {
  public int correct() {
    int c = 0;
    for (int i = 0; i < confusion.length; i++) c += confusion[i][i];
    return c;
  }

  public int total() {
    return predictions.length;
  }

  public double accuracy() {
    return total() == 0 ? 0 : (double) correct() / total();
  }
}
