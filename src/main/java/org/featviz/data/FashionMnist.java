package org.featviz.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;

/**
 * Fashion-MNIST (Zalando): 70,000 grayscale 28x28 images of clothing in 10 classes, split 60,000 /
 * 10,000, as IDX files. By default they are read from where Debian's {@code dataset-fashion-mnist}
 * package installs them; the system property {@value #DIR_PROPERTY} or the environment variable
 * {@value #DIR_ENV} names another folder.
 *
 * <pre>
 * Dataset test = FashionMnist.load(FashionMnist.Split.TEST);   // [10000, 1, 28, 28], values in [0, 1]
 * Dataset batch = test.slice(0, 64);
 * </pre>
 */
public final class FashionMnist {
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";
  public static final String DIR_PROPERTY = "featviz.fashionMnist.dir";
  public static final String DIR_ENV = "FEATVIZ_FASHION_MNIST_DIR";

  /** Class names by label, as the dataset's authors list them. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** The two splits and the prefix of their file names. */
  public enum Split {
    TRAIN("train"),
    TEST("t10k");

    private final String prefix;

    Split(String prefix) {
      this.prefix = prefix;
    }

    public String imagesFile() {
      return prefix + "-images-idx3-ubyte.gz";
    }

    public String labelsFile() {
      return prefix + "-labels-idx1-ubyte.gz";
    }

    public String prefix() {
      return prefix;
    }
  }

  private FashionMnist() {}

  /**
   * The folder to read from: the system property, else the environment variable, else Debian's
   * folder.
   */
  public static Path defaultDir() {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null || dir.isBlank()) dir = System.getenv(DIR_ENV);
    return dir == null || dir.isBlank() ? DEBIAN_DIR : Path.of(dir);
  }

  public static Dataset load(Split split) {
    return load(defaultDir(), split);
  }

  /**
   * Loads one split from {@code dir}. Each file may be gzip-compressed (the usual {@code .gz} name)
   * or plain (the same name without {@code .gz}).
   */
  public static Dataset load(Path dir, Split split) {
    Path imagesFile = locate(dir, split.imagesFile());
    Path labelsFile = locate(dir, split.labelsFile());
    IdxReader.IdxArray images = IdxReader.read(imagesFile);
    IdxReader.IdxArray labels = IdxReader.read(labelsFile);
    if (images.rank() != 3 || images.dim(1) == 0 || images.dim(2) == 0) {
      throw new DatasetException(
          imagesFile
              + ": expected images [N, H, W], found dimensions "
              + Arrays.toString(images.dims()));
    }
    if (labels.rank() != 1) {
      throw new DatasetException(
          labelsFile + ": expected labels [N], found dimensions " + Arrays.toString(labels.dims()));
    }
    int n = images.dim(0);
    if (labels.dim(0) != n) {
      throw new DatasetException(
          labelsFile
              + ": "
              + labels.dim(0)
              + " labels, but "
              + imagesFile
              + " holds "
              + n
              + " images");
    }
    int[] classes = new int[n];
    for (int i = 0; i < n; i++) {
      classes[i] = labels.unsigned(i);
      if (classes[i] >= CLASS_NAMES.size()) {
        throw new DatasetException(
            labelsFile
                + ": label "
                + classes[i]
                + " of image "
                + i
                + " is not a class (0.."
                + (CLASS_NAMES.size() - 1)
                + ")");
      }
    }
    // Images: unsigned bytes 0..255 scaled to [0, 1], one channel: [N, 1, H, W].
    float[] pixels = new float[images.data().length];
    for (int i = 0; i < pixels.length; i++) pixels[i] = images.unsigned(i) / 255f;
    Tensor tensor = Tensor.of(Shape.of(n, 1, images.dim(1), images.dim(2)), pixels);
    return new Dataset("fashion-mnist/" + split.prefix(), tensor, classes, CLASS_NAMES);
  }

  /**
   * The file itself, or its uncompressed twin (name without .gz); throws naming the file and its
   * package.
   */
  private static Path locate(Path dir, String fileName) {
    Path gz = dir.resolve(fileName);
    if (Files.isRegularFile(gz)) return gz;
    Path plain = dir.resolve(fileName.substring(0, fileName.length() - ".gz".length()));
    if (Files.isRegularFile(plain)) return plain;
    throw new DatasetException(
        gz
            + ": no such file. Fashion-MNIST is not there; on Debian install the package "
            + DEBIAN_PACKAGE
            + " (it provides "
            + DEBIAN_DIR
            + "), or name the folder that holds it with -D"
            + DIR_PROPERTY
            + " or "
            + DIR_ENV);
  }
}
