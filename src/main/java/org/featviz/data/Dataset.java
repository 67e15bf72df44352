package org.featviz.data;

import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * A labelled image dataset held in memory: images as one float tensor [N, C, H, W] with values in
 * [0, 1], one class label per image, and the class names that labels index. Analyses such as class
 * selectivity read it in batches through {@link #slice}. The image tensor is shared, not copied;
 * treat it as read-only.
 *
 * @param name where the data came from (for messages and reports), e.g. "fashion-mnist/t10k"
 * @param images [N, C, H, W] float32, values in [0, 1]
 * @param labels N class indices, each in 0..classNames.size()-1
 */
public record Dataset(String name, Tensor images, int[] labels, List<String> classNames) {
  public Dataset {
    Shape s = images.shape();
    if (s.rank() != 4)
      throw new IllegalArgumentException(name + ": images must be [N, C, H, W], got " + s);
    if (s.dim(0) != labels.length) {
      throw new IllegalArgumentException(
          name + ": " + s.dim(0) + " images but " + labels.length + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classNames.size()) {
        throw new IllegalArgumentException(
            name
                + ": label "
                + labels[i]
                + " of image "
                + i
                + " is not a class index"
                + " (0.."
                + (classNames.size() - 1)
                + ")");
      }
    }
    labels = labels.clone();
    classNames = List.copyOf(classNames);
  }

  public int size() {
    return labels.length;
  }

  public int channels() {
    return images.shape().dim(1);
  }

  public int height() {
    return images.shape().dim(2);
  }

  public int width() {
    return images.shape().dim(3);
  }

  /** A copy of image i, C*H*W values in row-major (C, H, W) order. */
  public float[] image(int i) {
    int per = images.shape().size(1, 4);
    return Arrays.copyOfRange(images.data(), i * per, (i + 1) * per);
  }

  public int label(int i) {
    return labels[i];
  }

  /** A copy of all labels. */
  public int[] labels() {
    return labels.clone();
  }

  public String className(int label) {
    return classNames.get(label);
  }

  /** How many images each class has, indexed by label. */
  public int[] classCounts() {
    int[] counts = new int[classNames.size()];
    for (int l : labels) counts[l]++;
    return counts;
  }

  /** Images from..to-1 as a dataset of their own (a copy), e.g. one batch. */
  public Dataset slice(int from, int to) {
    if (from < 0 || to > size() || from > to) {
      throw new IndexOutOfBoundsException(
          name + ": slice " + from + ".." + to + " of " + size() + " images");
    }
    int per = images.shape().size(1, 4);
    float[] data = Arrays.copyOfRange(images.data(), from * per, to * per);
    Tensor batch = Tensor.of(images.shape().withDim(0, to - from), data);
    return new Dataset(
        name + "[" + from + ".." + to + ")",
        batch,
        Arrays.copyOfRange(labels, from, to),
        classNames);
  }

  @Override
  public String toString() {
    return "Dataset " + name + " " + images.shape() + ", " + classNames.size() + " classes";
  }
}
