package org.featviz.analysis;

/**
 * The class purity of a set of images, such as a unit's or a direction's top dataset exemplars: the
 * share of the set that belongs to its most frequent (modal) class. 1: all one class; 1/k for k
 * images of k different classes. A machine proxy for how coherent the exemplars look.
 */
public final class ClassPurity {
  private ClassPurity() {}

  /** The modal class's share of {@code labels} (class indices 0..classes-1), at least one label. */
  public static double of(int[] labels, int classes) {
    if (labels.length == 0) throw new IllegalArgumentException("class purity of no images");
    int[] count = new int[classes];
    int best = 0;
    for (int l : labels) {
      if (l < 0 || l >= classes)
        throw new IllegalArgumentException("label " + l + " of " + classes + " classes");
      best = Math.max(best, ++count[l]);
    }
    return best / (double) labels.length;
  }
}
