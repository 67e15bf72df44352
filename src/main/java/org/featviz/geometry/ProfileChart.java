package org.featviz.geometry;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The units' values along a line, with the points where they flip, as PNG and SVG. */
public final class ProfileChart {
  private ProfileChart() {}

  /**
   * Draws at most {@code maxUnits} units: units whose flips are spread evenly along the line (every
   * k-th flip in order of position), then others in unit order; {@code marks} (named positions,
   * such as the two images the line runs through) as points on the zero line.
   */
  public static void write(
      LayerRegions.Profile p,
      String title,
      int maxUnits,
      Map<String, Double> marks,
      Path png,
      Path svg) {
    Set<Integer> shown = new LinkedHashSet<>();
    List<LayerRegions.Flip> flips = p.flips();
    int step = Math.max(1, flips.size() / Math.max(1, maxUnits));
    for (int i = 0; i < flips.size() && shown.size() < maxUnits; i += step) {
      shown.add(flips.get(i).unit());
    }
    for (int u = 0; u < p.units() && shown.size() < maxUnits; u++) shown.add(u);
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title(title)
            .xAxisTitle("position along the line")
            .yAxisTitle("pre-activation")
            .build();
    chart.getStyler().setLegendVisible(shown.size() + marks.size() <= 14);
    chart.getStyler().setMarkerSize(7);
    int n = p.s().length;
    for (int u : shown) {
      double[] y = new double[n];
      for (int i = 0; i < n; i++) y[i] = p.values()[i * p.units() + u];
      chart.addSeries("unit " + u, p.s(), y).setMarker(SeriesMarkers.NONE);
    }
    double[] fx =
        flips.stream()
            .filter(f -> shown.contains(f.unit()))
            .mapToDouble(LayerRegions.Flip::s)
            .toArray();
    if (fx.length > 0) {
      XYSeries changes = chart.addSeries("sign changes", fx, new double[fx.length]);
      changes.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      changes.setMarker(SeriesMarkers.DIAMOND);
      changes.setMarkerColor(Color.BLACK);
    }
    for (Map.Entry<String, Double> m : marks.entrySet()) {
      XYSeries s = chart.addSeries(m.getKey(), new double[] {m.getValue()}, new double[] {0});
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    try {
      Files.createDirectories(png.toAbsolutePath().getParent());
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
      VectorGraphicsEncoder.saveVectorGraphic(
          chart, svg.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png, e);
    }
  }
}
