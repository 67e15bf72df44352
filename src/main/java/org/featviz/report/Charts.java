package org.featviz.report;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Charts drawn with XChart off screen and written as PNG and SVG side by side: one look for every
 * chart featviz draws (white, a grid, the legend outside on the right), so that plots of one report
 * read alike.
 *
 * <pre>{@code
 * XYChart c = Charts.xy("relu2", "selectivity", "RS");
 * c.addSeries("AM", x, y);
 * Charts.write(c, Path.of("out/plots"), "rs_vs_selectivity_relu2");   // .png and .svg
 * }</pre>
 */
public final class Charts {
  static {
    Headless.ensure();
  }

  /** The size of every chart, in pixels (the PNG's) or points (the SVG's). */
  public static final int WIDTH = 720;

  public static final int HEIGHT = 480;

  private Charts() {}

  /** An empty x-y chart with featviz's look. */
  public static XYChart xy(String title, String xTitle, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBorderColor(Color.GRAY);
    chart.getStyler().setPlotGridLinesColor(new Color(0xe0e0e0));
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setLegendBorderColor(Color.WHITE);
    chart.getStyler().setChartTitleBoxVisible(false);
    chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    chart.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    return chart;
  }

  /** Writes {@code name}.png and {@code name}.svg into {@code folder}, creating it. */
  public static void write(XYChart chart, Path folder, String name) {
    Path png = folder.resolve(name + ".png");
    Path svg = folder.resolve(name + ".svg");
    try {
      Files.createDirectories(folder);
      try (OutputStream o = Files.newOutputStream(png)) {
        BitmapEncoder.saveBitmap(chart, o, BitmapEncoder.BitmapFormat.PNG);
      }
      try (OutputStream o = Files.newOutputStream(svg)) {
        VectorGraphicsEncoder.saveVectorGraphic(
            chart, o, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the plot " + png + " / .svg", e);
    }
  }
}
