package org.featviz.analyze;

import java.util.List;

/**
 * What {@link UnitAnalysis#run} measured, as the tables it writes: one {@link UnitRow} per row of
 * units.csv, one {@link LayerRow} per row of layers.csv, and with cumulative ablation one {@link
 * AblationPoint} per row of ablation.csv and one {@link AblationArea} per row of ablation_auc.csv
 * (both empty without it). All lists are read only, in the files' order.
 *
 * @param objectives the images analyzed, in the order of units.csv's columns
 * @param evaluatedOn where the dataset passes and the ablations (single and cumulative) ran: "cpu",
 *     or "gpu (NAME, fp32)" or "emulated (NAME, fp32)" for the model's device
 */
public record AnalysisResult(
    List<ImageObjective> objectives,
    List<UnitRow> units,
    List<LayerRow> layers,
    List<AblationPoint> ablation,
    List<AblationArea> ablationAreas,
    String evaluatedOn) {
  /** A result whose dataset passes and ablations ran on the CPU backend. */
  public AnalysisResult(
      List<ImageObjective> objectives,
      List<UnitRow> units,
      List<LayerRow> layers,
      List<AblationPoint> ablation,
      List<AblationArea> ablationAreas) {
    this(objectives, units, layers, ablation, ablationAreas, "cpu");
  }

  public AnalysisResult {
    java.util.Objects.requireNonNull(evaluatedOn, "evaluatedOn");
    objectives = List.copyOf(objectives);
    units = List.copyOf(units);
    layers = List.copyOf(layers);
    ablation = List.copyOf(ablation);
    ablationAreas = List.copyOf(ablationAreas);
  }

  /** The analyzed layers in the order of their units. */
  public List<String> layerNames() {
    return units.stream().map(UnitRow::layer).distinct().toList();
  }

  /** The units of {@code layer}, in order. */
  public List<UnitRow> unitsOf(String layer) {
    return units.stream().filter(u -> u.layer().equals(layer)).toList();
  }
}
