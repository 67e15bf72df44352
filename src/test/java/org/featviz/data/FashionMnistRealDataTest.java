package org.featviz.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.featviz.TestData;
import org.featviz.data.FashionMnist.Split;
import org.featviz.ir.Shape;
import org.junit.jupiter.api.Test;

/**
 * The real Fashion-MNIST test split, as the Debian package installs it. Skipped where the data is
 * absent, except under CI=true, where CI is expected to have installed it and its absence is a
 * failure.
 */
class FashionMnistRealDataTest {
  @Test
  void testSplitHas10000ImagesOf28x28With1000PerClass() {
    Path dir = FashionMnist.defaultDir();
    TestData.require(dir.resolve(Split.TEST.imagesFile()), FashionMnist.DEBIAN_PACKAGE);
    TestData.require(dir.resolve(Split.TEST.labelsFile()), FashionMnist.DEBIAN_PACKAGE);
    Dataset d = FashionMnist.load(dir, Split.TEST);
    assertEquals(Shape.of(10000, 1, 28, 28), d.images().shape());
    assertEquals(10000, d.size());
    for (int label : d.labels()) assertTrue(label >= 0 && label <= 9, "label " + label);
    int[] thousand = new int[10];
    Arrays.fill(thousand, 1000);
    assertArrayEquals(thousand, d.classCounts());
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float v : d.images().data()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertEquals(0f, min, "background pixels are 0");
    assertEquals(1f, max, "the brightest pixels are 1");
  }
}
