package org.featviz.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.featviz.ir.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngTest {
  @TempDir Path dir;

  /**
   * Writes image [C, H, W] scaled by `scale` to dir/name, reads it back: W and H times scale,
   * `bands` bands.
   */
  private Raster writeAndRead(float[] image, Shape shape, int scale, String name, int bands)
      throws IOException {
    Path file = dir.resolve(name);
    Png.write(image, shape, scale, file);
    BufferedImage read = ImageIO.read(file.toFile());
    assertEquals(shape.dim(2) * scale, read.getWidth());
    assertEquals(shape.dim(1) * scale, read.getHeight());
    Raster raster = read.getRaster();
    assertEquals(bands, raster.getNumBands());
    return raster;
  }

  /**
   * Each band's every pixel within one level of the image's value at (y / scale, x / scale):
   * nearest neighbour.
   */
  private static void assertLevels(float[] image, Shape shape, int scale, Raster raster) {
    int h = shape.dim(1);
    int w = shape.dim(2);
    for (int c = 0; c < raster.getNumBands(); c++) {
      for (int y = 0; y < h * scale; y++) {
        for (int x = 0; x < w * scale; x++) {
          float expected = image[(c * h + y / scale) * w + x / scale];
          assertEquals(
              expected,
              raster.getSample(x, y, c) / 255f,
              1 / 255f + 1e-6,
              "c" + c + " y" + y + " x" + x);
        }
      }
    }
  }

  @Test
  void rgbRoundTripsWithinOneLevel() throws IOException {
    Shape shape = Shape.of(3, 5, 7);
    float[] image = random(shape, 30);
    assertLevels(image, shape, 1, writeAndRead(image, shape, 1, "sub/rgb.png", 3));
  }

  @Test
  void grayUpscaledRoundTripsWithNearestNeighbour() throws IOException {
    Shape shape = Shape.of(1, 4, 3);
    float[] image = random(shape, 31);
    assertLevels(image, shape, 3, writeAndRead(image, shape, 3, "gray.png", 1));
  }

  @Test
  void otherChannelCountsShowTheFirstChannelAndValuesAreClamped() throws IOException {
    Shape shape = Shape.of(2, 2, 2);
    float[] image = {-0.5f, 0.25f, 1.5f, Float.NaN, 9, 9, 9, 9};
    Raster raster = writeAndRead(image, shape, 1, "two.png", 1);
    assertEquals(0, raster.getSample(0, 0, 0));
    assertEquals(64, raster.getSample(1, 0, 0));
    assertEquals(255, raster.getSample(0, 1, 0));
    assertEquals(0, raster.getSample(1, 1, 0));
  }

  @Test
  void contactSheetHasTheExpectedSizeAndTiles() throws IOException {
    Shape shape = Shape.of(1, 28, 28);
    ContactSheet sheet = new ContactSheet(shape, 4, 2);
    float[][] images = new float[10][];
    for (int u = 0; u < 10; u++) {
      images[u] = random(shape, 40 + u);
      sheet.add(images[u], u, 0.1234 * u);
    }
    int cellWidth = Math.max(56, 64) + 2 * 4;
    int cellHeight = 56 + 2 * 13 + 2 * 4;
    assertEquals(cellWidth, sheet.cellWidth());
    assertEquals(cellHeight, sheet.cellHeight());
    Path file = dir.resolve("sheet.png");
    sheet.write(file);
    BufferedImage read = ImageIO.read(file.toFile());
    assertEquals(4 * cellWidth, read.getWidth());
    assertEquals(3 * cellHeight, read.getHeight());

    // Tile 5 sits in row 1, column 1, centered horizontally in its cell, MARGIN below the cell's
    // top.
    int left = cellWidth + (cellWidth - 56) / 2;
    int top = cellHeight + 4;
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        int rgb = read.getRGB(left + 2 * x + 1, top + 2 * y + 1);
        int expected = Png.level(images[5][y * 28 + x]);
        assertEquals(expected, rgb & 0xff, 1);
        assertEquals(expected, (rgb >> 16) & 0xff, 1);
      }
    }
    // The label area under tile 5 has dark text pixels; the rest of the sheet after the last tile
    // is white.
    int dark = 0;
    for (int y = top + 56; y < 2 * cellHeight; y++) {
      for (int x = cellWidth; x < 2 * cellWidth; x++) if ((read.getRGB(x, y) & 0xff) < 128) dark++;
    }
    assertTrue(dark > 20, "label text drawn: " + dark + " dark pixels");
    assertEquals(0xffffff, read.getRGB(3 * cellWidth + 5, 2 * cellHeight + 5) & 0xffffff);
  }

  @Test
  void smallSheetsUseOnlyTheColumnsTheyNeed() {
    ContactSheet sheet = new ContactSheet(Shape.of(3, 100, 80), 8, 1);
    sheet.add(new float[3 * 100 * 80], "a", "b").add(new float[3 * 100 * 80], 7, 2.5);
    BufferedImage picture = sheet.render();
    assertEquals(2 * (80 + 8), picture.getWidth());
    assertEquals(100 + 26 + 8, picture.getHeight());
  }

  private static float[] random(Shape shape, long seed) {
    Random rng = new Random(seed);
    float[] v = new float[shape.size()];
    for (int i = 0; i < v.length; i++) v[i] = rng.nextFloat();
    return v;
  }
}
