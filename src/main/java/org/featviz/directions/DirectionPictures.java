package org.featviz.directions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.featviz.render.RenderResult;
import org.featviz.report.Charts;
import org.featviz.report.ContactSheet;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** Each direction's PNG, the side-by-side sheet (basis row over random row) and the plot. */
final class DirectionPictures {
  private DirectionPictures() {}

  static String safe(String layer) {
    return layer.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** A direction's PNG, relative to the study's folder. */
  static String imagePath(String layer, Probe p) {
    return String.format(
        Locale.ROOT, "images/%s/%s_%03d.png", safe(layer), p.kind().label(), p.slot());
  }

  static List<Path> write(
      Path out,
      String layer,
      List<Probe> probes,
      List<RenderResult> results,
      List<DirectionRow> rows,
      int upscale) {
    int k = (int) probes.stream().filter(p -> p.kind() == DirectionKind.BASIS).count();
    ContactSheet sheet = new ContactSheet(results.get(0).imageShape(), k, upscale);
    for (int i = 0; i < probes.size(); i++) {
      Probe p = probes.get(i);
      results.get(i).writePng(out.resolve(imagePath(layer, p)), upscale);
      sheet.add(
          results.get(i).image(),
          p.kind() == DirectionKind.BASIS ? "unit " + p.unit() : "random " + p.slot(),
          String.format(Locale.ROOT, "%.3g", results.get(i).objectiveValue()));
    }
    Path side = out.resolve("side_by_side_" + safe(layer) + ".png");
    sheet.write(side);
    XYChart chart =
        Charts.xy(layer + ": basis (left) vs random (right)", "measure", "value per direction");
    List<Measure> shown = new ArrayList<>();
    for (Measure m : Measure.values()) {
      if (m == Measure.OBJECTIVE) continue; // unbounded: its own scale, in the table
      if (rows.stream().anyMatch(r -> !Double.isNaN(r.value(m)))) shown.add(m);
    }
    for (DirectionKind kind : DirectionKind.values()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int mi = 0; mi < shown.size(); mi++) {
        for (DirectionRow r : rows) {
          double v = r.value(shown.get(mi));
          if (r.kind() != kind || Double.isNaN(v)) continue;
          x.add(mi + (kind == DirectionKind.BASIS ? -0.15 : 0.15) + 0.01 * (r.slot() % 7 - 3));
          y.add(v);
        }
      }
      if (x.isEmpty()) continue;
      XYSeries s = chart.addSeries(kind.label(), x, y);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }
    chart.setCustomXAxisTickLabelsFormatter(
        v -> {
          int i = (int) Math.round(v);
          return Math.abs(v - i) < 1e-9 && i >= 0 && i < shown.size() ? shown.get(i).label() : "";
        });
    Path plots = out.resolve("plots");
    Charts.write(chart, plots, "measures_" + safe(layer));
    return List.of(side, plots.resolve("measures_" + safe(layer) + ".png"));
  }
}
