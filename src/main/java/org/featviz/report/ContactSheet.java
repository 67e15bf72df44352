package org.featviz.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.featviz.ir.Shape;

/**
 * A grid of same-shaped images [C, H, W], each with two label lines under it (by default the unit
 * index and the objective's value), drawn with java.awt off screen and written as PNG: the overview
 * of a sweep over many units.
 *
 * <p>Layout, in pixels: each cell is {@link #cellWidth()} = max(W * upscale, {@value
 * #MIN_IMAGE_WIDTH}) + 2 * {@value #MARGIN} wide and {@link #cellHeight()} = H * upscale + {@value
 * #LABEL_LINES} * {@value #LINE_HEIGHT} + 2 * {@value #MARGIN} high; the sheet has min(columns,
 * tiles) cells per row and as many rows as needed, on white.
 *
 * <pre>
 *   ContactSheet sheet = new ContactSheet(Shape.of(1, 28, 28), 10, 4);
 *   for (int u = 0; u &lt; units; u++) sheet.add(images[u], u, values[u]);
 *   sheet.write(Path.of("layer3.png"));
 * </pre>
 */
public final class ContactSheet {
  public static final int MARGIN = 4;
  public static final int LINE_HEIGHT = 13;
  public static final int LABEL_LINES = 2;

  /** Cells are at least this wide so that labels under tiny images stay readable. */
  public static final int MIN_IMAGE_WIDTH = 64;

  private static final int FONT_SIZE = 11;

  static {
    Headless.ensure();
  }

  private final Shape imageShape;
  private final int columns;
  private final int upscale;
  private final List<float[]> images = new ArrayList<>();
  private final List<String[]> labels = new ArrayList<>();

  public ContactSheet(Shape imageShape, int columns, int upscale) {
    if (imageShape.rank() != 3) {
      throw new IllegalArgumentException(
          "contact sheet needs an image shape [C, H, W], got " + imageShape);
    }
    if (columns < 1 || upscale < 1) {
      throw new IllegalArgumentException(
          "columns and upscale must be >= 1, got " + columns + " and " + upscale);
    }
    this.imageShape = imageShape;
    this.columns = columns;
    this.upscale = upscale;
  }

  /** Adds a tile labelled "unit N" and the value (4 significant digits). The image is copied. */
  public ContactSheet add(float[] image, int unit, double value) {
    return add(image, "unit " + unit, String.format(Locale.ROOT, "%.4g", value));
  }

  /** Adds a tile with two label lines. The image is copied. */
  public ContactSheet add(float[] image, String firstLine, String secondLine) {
    if (image.length < imageShape.size()) {
      throw new IllegalArgumentException(
          "tile has "
              + image.length
              + " values, shape "
              + imageShape
              + " needs "
              + imageShape.size());
    }
    images.add(image.clone());
    labels.add(new String[] {firstLine, secondLine});
    return this;
  }

  public int tiles() {
    return images.size();
  }

  public int cellWidth() {
    return Math.max(imageShape.dim(2) * upscale, MIN_IMAGE_WIDTH) + 2 * MARGIN;
  }

  public int cellHeight() {
    return imageShape.dim(1) * upscale + LABEL_LINES * LINE_HEIGHT + 2 * MARGIN;
  }

  /** Cells per row of the sheet as it is now. */
  public int columnsUsed() {
    return Math.max(1, Math.min(columns, images.size()));
  }

  public int rows() {
    return Math.max(1, (images.size() + columnsUsed() - 1) / columnsUsed());
  }

  public BufferedImage render() {
    if (images.isEmpty()) throw new IllegalStateException("contact sheet has no tiles");
    int cw = cellWidth();
    int ch = cellHeight();
    BufferedImage sheet =
        new BufferedImage(columnsUsed() * cw, rows() * ch, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, FONT_SIZE));
      FontMetrics metrics = g.getFontMetrics();
      int imageW = imageShape.dim(2) * upscale;
      int imageH = imageShape.dim(1) * upscale;
      for (int t = 0; t < images.size(); t++) {
        int left = (t % columnsUsed()) * cw;
        int top = (t / columnsUsed()) * ch;
        g.drawImage(
            Png.toImage(images.get(t), imageShape, upscale),
            left + (cw - imageW) / 2,
            top + MARGIN,
            null);
        g.setColor(Color.BLACK);
        g.setClip(left, top, cw, ch);
        for (int line = 0; line < LABEL_LINES; line++) {
          String text = labels.get(t)[line];
          int x = left + Math.max(MARGIN, (cw - metrics.stringWidth(text)) / 2);
          int baseline = top + MARGIN + imageH + line * LINE_HEIGHT + metrics.getAscent();
          g.drawString(text, x, baseline);
        }
        g.setClip(null);
      }
    } finally {
      g.dispose();
    }
    return sheet;
  }

  public void write(Path file) {
    Png.write(render(), file);
  }
}
