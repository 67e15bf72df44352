package org.featviz.analyze;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.featviz.report.CsvWriter;

/**
 * The analysis tables as CSV files, every cell through {@link CsvWriter}. Numbers are Java's {@code
 * Double.toString}; in units.csv and layers.csv a value that is not known (NaN, or a unit without a
 * render of that kind) is an empty cell.
 */
final class AnalysisTables {
  static final String UNITS = "units.csv";
  static final String LAYERS = "layers.csv";
  static final String ABLATION = "ablation.csv";
  static final String ABLATION_AUC = "ablation_auc.csv";

  private AnalysisTables() {}

  static List<String> unitHeader(List<ImageObjective> objectives) {
    List<String> header =
        new ArrayList<>(List.of("layer", "unit", "selectivity", "preferred_class"));
    for (ImageObjective kind : objectives) {
      String k = kind.key();
      header.addAll(
          List.of(
              "rs_" + k, "rs_" + k + "_ties", "activation_" + k, "percentile_" + k, "status_" + k));
    }
    header.addAll(List.of("ablation_accuracy_drop", "ablation_loss_increase"));
    return header;
  }

  static List<String> unitCells(UnitRow u, List<ImageObjective> objectives) {
    List<String> c =
        new ArrayList<>(
            List.of(
                u.layer(), Integer.toString(u.unit()), num(u.selectivity()), u.preferredClass()));
    for (ImageObjective k : objectives) {
      UnitImage i = u.images().get(k);
      c.add(num(u.rs(k)));
      c.add(i == null || i.rsTies() == null ? "" : Integer.toString(i.rsTies()));
      c.add(i == null ? "" : num(i.activation()));
      c.add(i == null ? "" : num(i.percentile()));
      c.add(i == null ? "" : i.status());
    }
    c.add(num(u.ablationAccuracyDrop()));
    c.add(num(u.ablationLossIncrease()));
    return c;
  }

  static void writeUnitsAndLayers(Path out, AnalysisResult r) {
    List<String> units = new ArrayList<>(List.of(CsvWriter.line(unitHeader(r.objectives()))));
    for (UnitRow u : r.units()) units.add(CsvWriter.line(unitCells(u, r.objectives())));
    List<String> layers =
        new ArrayList<>(
            List.of(
                CsvWriter.line(
                    List.of("layer", "units", "x", "y", "rho", "p_value", "ci_low", "ci_high"))));
    for (LayerRow l : r.layers()) {
      layers.add(
          CsvWriter.line(
              List.of(
                  l.layer(),
                  Integer.toString(l.units()),
                  l.x(),
                  l.y(),
                  num(l.rho()),
                  num(l.pValue()),
                  num(l.ciLow()),
                  num(l.ciHigh()))));
    }
    write(out.resolve(UNITS), units, "the analysis");
    write(out.resolve(LAYERS), layers, "the analysis");
  }

  static void writeAblation(Path out, AnalysisResult r) {
    List<String> points =
        new ArrayList<>(
            List.of(
                CsvWriter.line(
                    List.of(
                        "layer", "order", "fraction", "units_ablated", "accuracy", "mean_loss"))));
    for (AblationPoint p : r.ablation()) {
      points.add(
          CsvWriter.line(
              List.of(
                  p.layer(),
                  p.order(),
                  Double.toString(p.fraction()),
                  Integer.toString(p.unitsAblated()),
                  Double.toString(p.accuracy()),
                  Double.toString(p.meanLoss()))));
    }
    List<String> areas = new ArrayList<>(List.of(CsvWriter.line(List.of("layer", "order", "auc"))));
    for (AblationArea a : r.ablationAreas())
      areas.add(CsvWriter.line(List.of(a.layer(), a.order(), Double.toString(a.auc()))));
    write(out.resolve(ABLATION), points, "the ablation curves");
    write(out.resolve(ABLATION_AUC), areas, "the ablation curves");
  }

  private static void write(Path file, List<String> lines, String what) {
    try {
      Files.write(file, lines);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + what + " in " + file.getParent(), e);
    }
  }

  /** A measure's cell: empty where it is not known. */
  static String num(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }
}
