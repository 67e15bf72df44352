package org.featviz.geometry;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Pictures of a region map: each sign pattern its own colour with the boundaries dark, and each
 * unit's zero line in its own colour. Colours step around the hue circle by the golden angle, so
 * that regions numbered one after another (neighbours, mostly) differ clearly.
 */
public final class RegionPictures {
  private RegionPictures() {}

  /** A named point drawn on a map at plane coordinates (s, t). */
  public record Mark(String label, double s, double t) {}

  private static final float GOLDEN = 0.618034f;

  /** The region map with boundaries in near-black and the marks as labelled white dots. */
  public static BufferedImage regions(RegionMap map, Plane plane, List<Mark> marks) {
    BufferedImage img = new BufferedImage(map.width(), map.height(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < map.height(); y++) {
      for (int x = 0; x < map.width(); x++) {
        int rgb = map.boundary(x, y) ? 0x202020 : regionColour(map.id(x, y));
        img.setRGB(x, y, rgb);
      }
    }
    drawMarks(img, plane, marks);
    return img;
  }

  /** Each unit's zero line (where its sign changes between neighbouring points) on white. */
  public static BufferedImage zeroLines(RegionMap map, Plane plane, List<Mark> marks) {
    BufferedImage img = new BufferedImage(map.width(), map.height(), BufferedImage.TYPE_INT_RGB);
    int[] unitColour = new int[map.units()];
    for (int u = 0; u < unitColour.length; u++) {
      unitColour[u] = Color.HSBtoRGB((u * GOLDEN) % 1f, 0.9f, 0.75f) & 0xFFFFFF;
    }
    for (int y = 0; y < map.height(); y++) {
      for (int x = 0; x < map.width(); x++) {
        int rgb = 0xFFFFFF;
        if (map.boundary(x, y)) {
          for (int u = 0; u < map.units(); u++) {
            boolean p = map.positive(x, y, u);
            boolean right = x + 1 < map.width() && map.positive(x + 1, y, u) != p;
            boolean down = y + 1 < map.height() && map.positive(x, y + 1, u) != p;
            if (right || down) {
              rgb = unitColour[u];
              break;
            }
          }
        }
        img.setRGB(x, y, rgb);
      }
    }
    drawMarks(img, plane, marks);
    return img;
  }

  static int regionColour(int id) {
    float hue = (id * GOLDEN) % 1f;
    float saturation = 0.35f + 0.25f * ((id * 7) % 3) / 2f;
    return Color.HSBtoRGB(hue, saturation, 0.95f) & 0xFFFFFF;
  }

  private static void drawMarks(BufferedImage img, Plane plane, List<Mark> marks) {
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      int r = Math.max(3, img.getWidth() / 100);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, img.getWidth() / 40)));
      g.setStroke(new BasicStroke(Math.max(1, r / 3f)));
      for (Mark m : marks) {
        int x =
            (int)
                Math.round((m.s() - plane.sMin()) / (plane.sMax() - plane.sMin()) * img.getWidth());
        int y =
            (int)
                Math.round(
                    (plane.tMax() - m.t()) / (plane.tMax() - plane.tMin()) * img.getHeight());
        g.setColor(Color.WHITE);
        g.fillOval(x - r, y - r, 2 * r, 2 * r);
        g.setColor(Color.BLACK);
        g.drawOval(x - r, y - r, 2 * r, 2 * r);
        java.awt.FontMetrics fm = g.getFontMetrics();
        int tx = x + r + 2;
        int ty = y - r - 2;
        g.setColor(Color.WHITE);
        g.fillRect(tx - 1, ty - fm.getAscent(), fm.stringWidth(m.label()) + 2, fm.getAscent() + 1);
        g.setColor(Color.BLACK);
        g.drawString(m.label(), tx, ty);
      }
    } finally {
      g.dispose();
    }
  }
}
