package org.featviz.analyze;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.featviz.report.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The plots of an analysis, each as PNG and SVG in OUT/plots: per layer RS against selectivity (a
 * point per unit, a series per image objective); RS and selectivity by depth (per layer the median,
 * and the quartiles as a band); and with cumulative ablation, per layer the accuracy as the
 * fraction ablated grows (the random orders as their mean with a min-max band, the others as
 * lines). A unit without a value (a diverged image) is left out of the plots that need it.
 */
public final class AnalysisPlots {
  /** The folder of the plots, under the analysis folder. */
  public static final String FOLDER = "plots";

  /**
   * One plot, in both formats.
   *
   * @param name the file name without extension: {@code plots/NAME.png} and {@code .svg}
   * @param layer the layer it shows, or null for one about all layers
   */
  public record Plot(String title, String name, String layer) {
    /** The SVG, relative to the analysis folder. */
    public String svg() {
      return FOLDER + "/" + name + ".svg";
    }

    /** The PNG, relative to the analysis folder. */
    public String png() {
      return FOLDER + "/" + name + ".png";
    }
  }

  private static final Color AM = new Color(0x1f77b4);
  private static final Color IAM = new Color(0xff7f0e);
  private static final Color SELECTIVITY = new Color(0x2ca02c);

  /** The line colours of the non-random ablation orders, in turn. */
  private static final Color[] ORDERS = {
    new Color(0x2ca02c),
    new Color(0x98df8a),
    new Color(0x1f77b4),
    new Color(0xaec7e8),
    new Color(0xff7f0e),
    new Color(0xffbb78),
    new Color(0x9467bd),
    new Color(0xc5b0d5)
  };

  /** XChart gives each series its own dash pattern unless told. */
  private static final BasicStroke SOLID = new BasicStroke(2f);

  private AnalysisPlots() {}

  /** Draws every plot of {@code r} into {@code out}/plots and says which, in report order. */
  public static List<Plot> write(AnalysisResult r, Path out) {
    Path folder = out.resolve(FOLDER);
    List<Plot> plots = new ArrayList<>();
    Plot depth = new Plot("RS and selectivity by depth", "by_depth", null);
    XYChart byDepth = byDepth(r, depth.title());
    if (byDepth != null) {
      Charts.write(byDepth, folder, depth.name());
      plots.add(depth);
    }
    for (String layer : r.layerNames()) {
      Plot scatter =
          new Plot(
              layer + ": RS against selectivity",
              "rs_vs_selectivity_" + DatasetMeasures.safe(layer),
              layer);
      XYChart s = scatter(r, layer, scatter.title());
      if (s != null) {
        Charts.write(s, folder, scatter.name());
        plots.add(scatter);
      }
      Plot curves =
          new Plot(
              layer + ": cumulative ablation", "ablation_" + DatasetMeasures.safe(layer), layer);
      XYChart a = ablation(r, layer, curves.title());
      if (a != null) {
        Charts.write(a, folder, curves.name());
        plots.add(curves);
      }
    }
    return plots;
  }

  /** RS against selectivity of the layer's units, a series per image objective; null if empty. */
  static XYChart scatter(AnalysisResult r, String layer, String title) {
    XYChart chart = Charts.xy(title, "class selectivity", "Representative Substitution");
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    chart.getStyler().setMarkerSize(6);
    boolean any = false;
    for (ImageObjective k : r.objectives()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (UnitRow u : r.unitsOf(layer)) {
        if (Double.isNaN(u.rs(k)) || Double.isNaN(u.selectivity())) continue;
        x.add(u.selectivity());
        y.add(u.rs(k));
      }
      if (x.isEmpty()) continue;
      XYSeries s = chart.addSeries(k.name(), x, y);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(k == ImageObjective.AM ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
      s.setMarkerColor(translucent(k == ImageObjective.AM ? AM : IAM, 170));
      any = true;
    }
    return any ? chart : null;
  }

  /**
   * Per layer (x = 1, 2, ... in analysis order, labelled with the layer's name) the median of RS
   * per image objective and of selectivity, with the quartiles as a band; null where no layer has a
   * value.
   */
  static XYChart byDepth(AnalysisResult r, String title) {
    List<String> layers = r.layerNames();
    XYChart chart = Charts.xy(title, "layer", "per layer: median, quartiles shaded");
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    chart.setCustomXAxisTickLabelsFormatter(
        x -> {
          long i = Math.round(x);
          return Math.abs(x - i) < 1e-9 && i >= 1 && i <= layers.size()
              ? layers.get((int) i - 1)
              : "";
        });
    Map<String, ToDoubleFunction<UnitRow>> measures = new LinkedHashMap<>();
    Map<String, Color> colours = new LinkedHashMap<>();
    for (ImageObjective k : r.objectives()) {
      measures.put("RS (" + k.name() + ")", u -> u.rs(k));
      colours.put("RS (" + k.name() + ")", k == ImageObjective.AM ? AM : IAM);
    }
    measures.put("selectivity", UnitRow::selectivity);
    colours.put("selectivity", SELECTIVITY);
    boolean any = false;
    for (Map.Entry<String, ToDoubleFunction<UnitRow>> m : measures.entrySet()) {
      List<Double> x = new ArrayList<>();
      List<Double> median = new ArrayList<>();
      List<Double> low = new ArrayList<>();
      List<Double> high = new ArrayList<>();
      for (int i = 0; i < layers.size(); i++) {
        double[] v =
            r.unitsOf(layers.get(i)).stream()
                .mapToDouble(m.getValue())
                .filter(d -> !Double.isNaN(d))
                .sorted()
                .toArray();
        if (v.length == 0) continue;
        x.add(i + 1.0);
        median.add(org.featviz.analysis.Quantiles.ofSorted(v, 0.5));
        low.add(org.featviz.analysis.Quantiles.ofSorted(v, 0.25));
        high.add(org.featviz.analysis.Quantiles.ofSorted(v, 0.75));
      }
      if (x.isEmpty()) continue;
      Color c = colours.get(m.getKey());
      // The band joins the layers' quartiles; a whisker at each layer marks them where the band
      // has no width (a single layer). Every point sits at a layer's x, so that the axis's ticks
      // (XChart puts them at the data's x values) are the layers.
      List<Double> polygonX = new ArrayList<>(x);
      List<Double> polygonY = new ArrayList<>(high);
      for (int i = x.size() - 1; i >= 0; i--) {
        polygonX.add(x.get(i));
        polygonY.add(low.get(i));
      }
      XYSeries band = chart.addSeries(m.getKey() + " quartiles", polygonX, polygonY);
      band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
      band.setMarker(SeriesMarkers.NONE);
      band.setFillColor(translucent(c, 50));
      band.setLineColor(translucent(c, 50));
      band.setShowInLegend(false);
      for (int i = 0; i < x.size(); i++) {
        XYSeries whisker =
            chart.addSeries(
                m.getKey() + " quartiles of " + layers.get(x.get(i).intValue() - 1),
                List.of(x.get(i), x.get(i)),
                List.of(low.get(i), high.get(i)));
        whisker.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        whisker.setMarker(SeriesMarkers.NONE);
        whisker.setLineColor(translucent(c, 160));
        whisker.setLineStyle(new BasicStroke(4f));
        whisker.setShowInLegend(false);
      }
      XYSeries line = chart.addSeries(m.getKey() + " median", x, median);
      line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      line.setMarker(SeriesMarkers.CIRCLE);
      line.setMarkerColor(c);
      line.setLineColor(c);
      line.setLineStyle(SOLID);
      any = true;
    }
    return any ? chart : null;
  }

  /**
   * The layer's cumulative ablation curves: accuracy against the fraction ablated, the random
   * orders as their mean and min-max band, each other order as a line; null without curves.
   */
  static XYChart ablation(AnalysisResult r, String layer, String title) {
    Map<String, List<AblationPoint>> byOrder = new LinkedHashMap<>();
    for (AblationPoint p : r.ablation()) {
      if (p.layer().equals(layer))
        byOrder.computeIfAbsent(p.order(), o -> new ArrayList<>()).add(p);
    }
    if (byOrder.isEmpty()) return null;
    XYChart chart = Charts.xy(title, "fraction of the layer's units ablated", "test accuracy");
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0);
    List<List<AblationPoint>> random =
        byOrder.entrySet().stream()
            .filter(e -> e.getKey().startsWith("random_"))
            .map(Map.Entry::getValue)
            .toList();
    if (!random.isEmpty()) {
      int n = random.get(0).size();
      double[] f = new double[n];
      double[] mean = new double[n];
      double[] min = new double[n];
      double[] max = new double[n];
      Arrays.fill(min, Double.POSITIVE_INFINITY);
      Arrays.fill(max, Double.NEGATIVE_INFINITY);
      for (List<AblationPoint> curve : random) {
        for (int i = 0; i < n; i++) {
          double a = curve.get(i).accuracy();
          f[i] = curve.get(i).fraction();
          mean[i] += a / random.size();
          min[i] = Math.min(min[i], a);
          max[i] = Math.max(max[i], a);
        }
      }
      double[] px = new double[2 * n];
      double[] py = new double[2 * n];
      for (int i = 0; i < n; i++) {
        px[i] = f[i];
        py[i] = max[i];
        px[2 * n - 1 - i] = f[i];
        py[2 * n - 1 - i] = min[i];
      }
      XYSeries band = chart.addSeries("random (min-max of " + random.size() + ")", px, py);
      band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
      band.setMarker(SeriesMarkers.NONE);
      band.setFillColor(new Color(0, 0, 0, 40));
      band.setLineColor(new Color(0, 0, 0, 40));
      XYSeries line = chart.addSeries("random (mean of " + random.size() + ")", f, mean);
      line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      line.setMarker(SeriesMarkers.NONE);
      line.setLineColor(Color.DARK_GRAY);
      line.setLineStyle(
          new BasicStroke(
              2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10, new float[] {6, 4}, 0));
    }
    int colour = 0;
    for (Map.Entry<String, List<AblationPoint>> e : byOrder.entrySet()) {
      if (e.getKey().startsWith("random_")) continue;
      double[] f = e.getValue().stream().mapToDouble(AblationPoint::fraction).toArray();
      double[] a = e.getValue().stream().mapToDouble(AblationPoint::accuracy).toArray();
      XYSeries s = chart.addSeries(e.getKey().replace('_', ' '), f, a);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(ORDERS[colour++ % ORDERS.length]);
      s.setLineStyle(SOLID);
    }
    return chart;
  }

  private static Color translucent(Color c, int alpha) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
  }
}
