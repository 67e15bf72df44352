package org.featviz;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.featviz.data.Dataset;
import org.featviz.data.FashionMnist;
import org.junit.jupiter.api.Assumptions;

/**
 * Test data from Debian packages: tests skip where it is missing on a developer machine, but under
 * CI=true a missing package is a failure (CI installs it, so its absence is a broken setup, not a
 * reason to pass).
 */
public final class TestData {
  private TestData() {}

  public static Path require(Path path, String debianPackage) {
    if (!Files.exists(path)) {
      String msg = path + " is missing: install the Debian package " + debianPackage;
      if ("true".equals(System.getenv("CI"))) fail(msg);
      Assumptions.assumeTrue(false, msg);
    }
    return path;
  }

  /** The first {@code images} Fashion-MNIST test images (Debian's dataset-fashion-mnist). */
  public static Dataset fashionMnistTest(int images) {
    require(
        FashionMnist.defaultDir().resolve("t10k-images-idx3-ubyte.gz"), "dataset-fashion-mnist");
    return FashionMnist.load(FashionMnist.defaultDir(), FashionMnist.Split.TEST).slice(0, images);
  }
}
