package org.featviz.eval;

import java.util.List;

/**
 * The result of running a classifier over a labelled split: the predicted class of each image, the
 * confusion matrix (rows: true class, columns: predicted class), the time taken, and how many
 * images had a class score that is NaN or infinite (a broken model or input: their argmax means
 * nothing, so the accuracy cannot be trusted).
 */
public record Evaluation(
    int[] predictions,
    int[][] confusion,
    List<String> classNames,
    double seconds,
    int nonFiniteImages) {
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
