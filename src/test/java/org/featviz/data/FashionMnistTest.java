package org.featviz.data;

import static org.featviz.data.IdxFiles.gzip;
import static org.featviz.data.IdxFiles.ubytes;
import static org.featviz.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.featviz.data.FashionMnist.Split;
import org.featviz.ir.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FashionMnist.load on tiny hand-written splits: scaling, labels, file lookup and every error
 * message.
 */
class FashionMnistTest {
  @TempDir Path dir;

  // 5 images of 3x4 pixels.
  private static final int N = 5;
  private static final int H = 3;
  private static final int W = 4;

  private static byte[] pixels(long seed) {
    byte[] b = new byte[N * H * W];
    new Random(seed).nextBytes(b);
    b[0] = 0;
    b[1] = (byte) 255;
    return b;
  }

  private void writeSplit(Split split, byte[] images, byte[] labels) {
    write(dir.resolve(split.imagesFile()), gzip(ubytes(new int[] {N, H, W}, images)));
    write(dir.resolve(split.labelsFile()), gzip(ubytes(new int[] {labels.length}, labels)));
  }

  private DatasetException loadFails(Split split, String... fragments) {
    DatasetException e = assertThrows(DatasetException.class, () -> FashionMnist.load(dir, split));
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message mentions '" + f + "': " + e.getMessage());
    }
    return e;
  }

  @Test
  void loadsImagesScaledToUnitRangeWithTheirLabels() {
    byte[] images = pixels(1);
    byte[] labels = {3, 0, 9, 3, 7};
    writeSplit(Split.TEST, images, labels);
    Dataset d = FashionMnist.load(dir, Split.TEST);
    assertEquals(Shape.of(N, 1, H, W), d.images().shape());
    assertEquals(N, d.size());
    assertEquals(1, d.channels());
    assertEquals(H, d.height());
    assertEquals(W, d.width());
    float[] data = d.images().data();
    for (int i = 0; i < images.length; i++)
      assertEquals((images[i] & 0xFF) / 255f, data[i], 0f, "pixel " + i);
    assertEquals(0f, data[0]);
    assertEquals(1f, data[1]);
    assertArrayEquals(new int[] {3, 0, 9, 3, 7}, d.labels());
    assertEquals("Dress", d.className(d.label(0)));
    assertEquals("Ankle boot", d.className(9));
    assertArrayEquals(new int[] {1, 0, 0, 2, 0, 0, 0, 1, 0, 1}, d.classCounts());
    assertArrayEquals(Arrays.copyOfRange(data, 2 * H * W, 3 * H * W), d.image(2));
  }

  @Test
  void sliceCopiesABatch() {
    writeSplit(Split.TRAIN, pixels(2), new byte[] {1, 2, 3, 4, 5});
    Dataset d = FashionMnist.load(dir, Split.TRAIN);
    Dataset batch = d.slice(1, 4);
    assertEquals(Shape.of(3, 1, H, W), batch.images().shape());
    assertArrayEquals(new int[] {2, 3, 4}, batch.labels());
    for (int i = 0; i < 3; i++) assertArrayEquals(d.image(i + 1), batch.image(i));
    assertEquals(0, d.slice(2, 2).size());
    assertThrows(IndexOutOfBoundsException.class, () -> d.slice(3, N + 1));
  }

  @Test
  void readsUncompressedFilesNamedWithoutGz() {
    byte[] images = pixels(3);
    write(dir.resolve("t10k-images-idx3-ubyte"), ubytes(new int[] {N, H, W}, images));
    write(dir.resolve("t10k-labels-idx1-ubyte"), ubytes(new int[] {N}, new byte[] {0, 1, 2, 3, 4}));
    Dataset d = FashionMnist.load(dir, Split.TEST);
    assertEquals((images[5] & 0xFF) / 255f, d.images().data()[5], 0f);
  }

  @Test
  void missingFileNamesTheFileAndTheDebianPackage() {
    DatasetException e =
        loadFails(Split.TEST, "t10k-images-idx3-ubyte.gz", "dataset-fashion-mnist");
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    write(dir.resolve(Split.TRAIN.imagesFile()), gzip(ubytes(new int[] {N, H, W}, pixels(4))));
    loadFails(Split.TRAIN, "train-labels-idx1-ubyte.gz", "dataset-fashion-mnist");
  }

  @Test
  void labelCountDifferentFromImageCountIsReported() {
    writeSplit(Split.TEST, pixels(5), new byte[] {1, 2, 3, 4});
    loadFails(Split.TEST, "4 labels", "5 images", "t10k-labels-idx1-ubyte.gz");
  }

  @Test
  void labelOutsideTheTenClassesIsReported() {
    writeSplit(Split.TEST, pixels(6), new byte[] {1, 2, 10, 4, 5});
    loadFails(Split.TEST, "label 10 of image 2");
  }

  @Test
  void imagesWithTheWrongNumberOfDimensionsAreReported() {
    write(dir.resolve(Split.TEST.imagesFile()), gzip(ubytes(new int[] {N, H * W}, pixels(7))));
    write(dir.resolve(Split.TEST.labelsFile()), gzip(ubytes(new int[] {N}, new byte[N])));
    loadFails(Split.TEST, "t10k-images-idx3-ubyte.gz", "[N, H, W]", "[5, 12]");
  }

  @Test
  void corruptFilesAreReportedThroughLoad() {
    byte[] gz = gzip(ubytes(new int[] {N, H, W}, pixels(8)));
    write(dir.resolve(Split.TEST.imagesFile()), Arrays.copyOf(gz, gz.length - 12));
    write(dir.resolve(Split.TEST.labelsFile()), gzip(ubytes(new int[] {N}, new byte[N])));
    loadFails(Split.TEST, "t10k-images-idx3-ubyte.gz", "truncated");
  }

  @Test
  void defaultDirFollowsTheSystemProperty() {
    String old = System.getProperty(FashionMnist.DIR_PROPERTY);
    try {
      System.setProperty(FashionMnist.DIR_PROPERTY, dir.toString());
      assertEquals(dir, FashionMnist.defaultDir());
      writeSplit(Split.TEST, pixels(9), new byte[] {0, 0, 0, 0, 0});
      assertEquals(N, FashionMnist.load(Split.TEST).size());
    } finally {
      if (old == null) System.clearProperty(FashionMnist.DIR_PROPERTY);
      else System.setProperty(FashionMnist.DIR_PROPERTY, old);
    }
  }
}
