package org.featviz.directions;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.featviz.Model;
import org.featviz.data.Dataset;
import org.featviz.report.CsvWriter;

/**
 * directions.csv (a row per direction, appended as each layer finishes) and summary.json (the
 * comparisons of the layers done so far, rewritten after each), so an interrupted run keeps its
 * finished layers.
 */
final class DirectionTables {
  static final String CSV = "directions.csv";
  static final String SUMMARY = "summary.json";
  private static final List<String> HEADER =
      List.of(
          "layer",
          "kind",
          "slot",
          "unit",
          "status",
          "seed",
          "objective",
          "cosine",
          "rs",
          "rs_above",
          "rs_ties",
          "percentile",
          "purity",
          "selectivity",
          "preferred_class",
          "image");

  private final Path csv;
  private final Path summary;
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final List<Object> layers = new ArrayList<>();

  private DirectionTables(Path out, Map<String, Object> settings) {
    this.csv = out.resolve(CSV);
    this.summary = out.resolve(SUMMARY);
    json.putAll(settings);
    json.put("layers", layers);
  }

  static DirectionTables start(Path out, Model m, DirectionOptions o, Dataset data) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("model", m.file().toString());
    s.put("count", o.count());
    s.put("whitened", o.whitened());
    s.put("dataset", data == null ? null : data.name());
    s.put("dataset_images", data == null ? null : o.images());
    s.put("exemplars", o.exemplars());
    s.put("steps", o.render().steps());
    s.put("seed", o.render().seed());
    s.put("selectivity_negatives", "class means clamped at 0");
    DirectionTables t = new DirectionTables(out, s);
    try {
      Files.createDirectories(out);
      Files.writeString(t.csv, CsvWriter.line(HEADER) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + t.csv, e);
    }
    return t;
  }

  Path csv() {
    return csv;
  }

  Path summary() {
    return summary;
  }

  void append(List<DirectionRow> rows, List<Comparison> comparisons) {
    StringBuilder b = new StringBuilder();
    for (DirectionRow r : rows) {
      b.append(
              CsvWriter.line(
                  List.of(
                      r.layer(),
                      r.kind().label(),
                      "" + r.slot(),
                      r.unit() < 0 ? "" : "" + r.unit(),
                      r.status(),
                      "" + r.seed(),
                      num(r.objective()),
                      num(r.cosine()),
                      num(r.rs()),
                      "" + r.rsAbove(),
                      "" + r.rsTies(),
                      num(r.percentile()),
                      num(r.purity()),
                      num(r.selectivity()),
                      r.preferredClass() == null ? "" : r.preferredClass(),
                      r.image())))
          .append('\n');
    }
    Map<String, Object> layer = new LinkedHashMap<>();
    layer.put("layer", rows.isEmpty() ? null : rows.get(0).layer());
    List<Object> cs = new ArrayList<>();
    for (Comparison c : comparisons) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("measure", c.measure().label());
      m.put("basis_n", c.basisN());
      m.put("random_n", c.randomN());
      m.put("basis_median", finite(c.basisMedian()));
      m.put("random_median", finite(c.randomMedian()));
      m.put("u", finite(c.u()));
      m.put("z", finite(c.z()));
      m.put("p", finite(c.p()));
      m.put("p_exact", c.exact());
      m.put("rank_biserial", finite(c.rankBiserial()));
      cs.add(m);
    }
    layer.put("comparisons", cs);
    layers.add(layer);
    try {
      Files.writeString(csv, b.toString(), StandardOpenOption.APPEND);
      Files.writeString(
          summary, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(json));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + csv + " / " + summary, e);
    }
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
