package org.featviz.analyze;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.featviz.report.Html;

/**
 * OUT/report.html: one page that needs no network (its style and script are inline, the units are
 * JSON inside it) and shows an analysis: the per-layer statistics, the plots, and a card per unit
 * (its AM and IAM images, its exemplar sheet, its numbers and status) that can be filtered by
 * layer, status and a metric's range and sorted by any metric. Cards are drawn a page at a time
 * from the data, so a few thousand units stay fast. The images are files of the analysis folder,
 * referred to by relative paths; one that is missing when the page is written shows as "no image".
 *
 * <p>Every text from the analysis (layer and class names, paths) enters the page escaped: through
 * {@link Html#escape} in the HTML, through {@link Html#scriptJson} in the data, and through {@code
 * textContent} where the script draws it.
 */
public final class AnalysisReport {
  public static final String FILE = "report.html";

  private AnalysisReport() {}

  /** Writes {@code out}/report.html for {@code r} and its {@code plots}; returns the file. */
  public static Path write(AnalysisResult r, List<AnalysisPlots.Plot> plots, Path out) {
    Path file = out.resolve(FILE);
    try {
      Files.writeString(file, page(r, plots, out), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }

  /** The page's HTML; image paths are checked against the files under {@code out}. */
  static String page(AnalysisResult r, List<AnalysisPlots.Plot> plots, Path out) {
    List<String> layers = r.layerNames();
    StringBuilder h = new StringBuilder(1 << 16);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>featviz analysis: ")
        .append(Html.escape(String.join(", ", layers)))
        .append("</title>\n")
        .append(
            "<!-- Self-contained: no request leaves this folder. The style and the script are"
                + " inline and the units are the JSON below; the images (am/, iam/, exemplars/,"
                + " plots/) are files of this analysis folder, referred to by relative paths. -->\n")
        .append("<style>\n")
        .append(resource("report.css"))
        .append("</style>\n</head>\n<body>\n");
    h.append("<header><h1>featviz analysis</h1><p>")
        .append(r.units().size())
        .append(" units of ")
        .append(layers.size())
        .append(layers.size() == 1 ? " layer" : " layers")
        .append(" (")
        .append(Html.escape(String.join(", ", layers)))
        .append("); Representative Substitution on the ")
        .append(
            r.objectives().stream().map(ImageObjective::name).collect(Collectors.joining(" and ")))
        .append(" images. Dataset passes and ablations evaluated on ")
        .append(Html.escape(r.evaluatedOn()))
        .append(".</p></header>\n");
    statistics(h, r);
    areas(h, r);
    plotsSection(h, plots);
    h.append(
        "<section id=\"units\"><h2>Units</h2>\n<div id=\"controls\"></div>\n"
            + "<p id=\"count\" aria-live=\"polite\"></p>\n<div id=\"cards\"></div>\n"
            + "<nav id=\"pages\"></nav>\n</section>\n");
    h.append("<script type=\"application/json\" id=\"featviz-data\">")
        .append(Html.scriptJson(data(r, out)))
        .append("</script>\n<script>\n")
        .append(resource("report.js"))
        .append("</script>\n</body>\n</html>\n");
    return h.toString();
  }

  /** The per-layer table of Spearman's rho between each pair of measures. */
  private static void statistics(StringBuilder h, AnalysisResult r) {
    h.append("<section id=\"statistics\"><h2>Per-layer statistics</h2>\n")
        .append("<p>Spearman's rho over each layer's units, with its permutation p-value (")
        .append(UnitAnalysis.PERMUTATIONS)
        .append(" permutations) and bootstrap 95% interval.</p>\n")
        .append(
            "<table class=\"stats\"><thead><tr><th>layer</th><th>units</th><th>x</th><th>y</th>"
                + "<th>rho</th><th>p</th><th>95% interval</th></tr></thead><tbody>\n");
    for (LayerRow l : r.layers()) {
      h.append("<tr><td>")
          .append(Html.escape(l.layer()))
          .append("</td><td>")
          .append(l.units())
          .append("</td><td>")
          .append(Html.escape(l.x()))
          .append("</td><td>")
          .append(Html.escape(l.y()))
          .append("</td><td class=\"num\">")
          .append(fmt(l.rho()))
          .append("</td><td class=\"num\">")
          .append(fmt(l.pValue()))
          .append("</td><td class=\"num\">")
          .append(Double.isNaN(l.ciLow()) ? "&ndash;" : fmt(l.ciLow()) + " .. " + fmt(l.ciHigh()))
          .append("</td></tr>\n");
    }
    h.append("</tbody></table></section>\n");
  }

  /** The areas under the cumulative ablation curves: a row per layer, a column per order. */
  private static void areas(StringBuilder h, AnalysisResult r) {
    if (r.ablationAreas().isEmpty()) return;
    Map<String, Map<String, Double>> byLayer = new LinkedHashMap<>();
    List<String> orders = new ArrayList<>();
    for (AblationArea a : r.ablationAreas()) {
      byLayer.computeIfAbsent(a.layer(), l -> new LinkedHashMap<>()).put(a.order(), a.auc());
      if (!orders.contains(a.order())) orders.add(a.order());
    }
    h.append("<section id=\"ablation\"><h2>Cumulative ablation</h2>\n")
        .append(
            "<p>Area under each accuracy curve as the layer's units are set to 0 in that order"
                + " (1: nothing is lost).</p>\n<table class=\"stats\"><thead><tr><th>layer</th>");
    for (String o : orders)
      h.append("<th>").append(Html.escape(o.replace('_', ' '))).append("</th>");
    h.append("</tr></thead><tbody>\n");
    for (Map.Entry<String, Map<String, Double>> e : byLayer.entrySet()) {
      h.append("<tr><td>").append(Html.escape(e.getKey())).append("</td>");
      for (String o : orders) {
        Double v = e.getValue().get(o);
        h.append("<td class=\"num\">").append(v == null ? "&ndash;" : fmt(v)).append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</tbody></table></section>\n");
  }

  private static void plotsSection(StringBuilder h, List<AnalysisPlots.Plot> plots) {
    if (plots.isEmpty()) return;
    h.append("<section id=\"plots\"><h2>Plots</h2>\n<div class=\"plots\">\n");
    for (AnalysisPlots.Plot p : plots) {
      h.append("<figure><img src=\"")
          .append(Html.escape(p.svg()))
          .append("\" alt=\"")
          .append(Html.escape(p.title()))
          .append("\" width=\"720\" height=\"480\" loading=\"lazy\"><figcaption>")
          .append(Html.escape(p.title()))
          .append(" (<a href=\"")
          .append(Html.escape(p.png()))
          .append("\">PNG</a>, <a href=\"")
          .append(Html.escape(p.svg()))
          .append("\">SVG</a>)</figcaption></figure>\n");
    }
    h.append("</div></section>\n");
  }

  /**
   * The units as the script reads them: {@code layers} (names), {@code objectives} ("am", "iam")
   * and per unit {@code l} (layer index), {@code u}, {@code s} (selectivity), {@code c} (preferred
   * class), {@code d} and {@code x} (ablation accuracy drop, loss increase), {@code e} (exemplar
   * sheet or null), {@code i} (per objective: {@code rs}, {@code t} ties, {@code a} activation,
   * {@code p} percentile, {@code st} status, {@code img} or null). A value that is not known is
   * null.
   */
  static JsonObject data(AnalysisResult r, Path out) {
    List<String> layers = r.layerNames();
    Map<String, Integer> index = new LinkedHashMap<>();
    for (String l : layers) index.put(l, index.size());
    JsonObject d = new JsonObject();
    JsonArray names = new JsonArray();
    layers.forEach(names::add);
    d.add("layers", names);
    JsonArray kinds = new JsonArray();
    r.objectives().forEach(k -> kinds.add(k.key()));
    d.add("objectives", kinds);
    JsonArray units = new JsonArray();
    for (UnitRow u : r.units()) {
      JsonObject o = new JsonObject();
      o.addProperty("l", index.get(u.layer()));
      o.addProperty("u", u.unit());
      o.add("s", number(u.selectivity()));
      o.addProperty("c", u.preferredClass());
      o.add("d", number(u.ablationAccuracyDrop()));
      o.add("x", number(u.ablationLossIncrease()));
      o.add("e", file(out, u.exemplars()));
      JsonObject images = new JsonObject();
      for (Map.Entry<ImageObjective, UnitImage> e : u.images().entrySet()) {
        UnitImage i = e.getValue();
        JsonObject m = new JsonObject();
        m.add("rs", number(i.rs()));
        m.add("t", i.rsTies() == null ? JsonNull.INSTANCE : new JsonPrimitive(i.rsTies()));
        m.add("a", number(i.activation()));
        m.add("p", number(i.percentile()));
        m.addProperty("st", i.status());
        m.add("img", file(out, i.image()));
        images.add(e.getKey().key(), m);
      }
      o.add("i", images);
      units.add(o);
    }
    d.add("units", units);
    return d;
  }

  /** A number for the script; NaN and infinities (which JSON lacks) as null. */
  private static JsonElement number(double v) {
    return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
  }

  /** A path relative to the analysis folder where that file exists, else null. */
  private static JsonElement file(Path out, String relative) {
    return relative != null && Files.isRegularFile(out.resolve(relative))
        ? new JsonPrimitive(relative)
        : JsonNull.INSTANCE;
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "&ndash;" : String.format(Locale.ROOT, "%.3g", v);
  }

  /** A text file of this package's resources (the page's style and script). */
  private static String resource(String name) {
    try (InputStream in = AnalysisReport.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("resource " + name + " is missing");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the resource " + name, e);
    }
  }
}
