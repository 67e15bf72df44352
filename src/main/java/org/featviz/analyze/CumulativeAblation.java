package org.featviz.analyze;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.featviz.Model;
import org.featviz.eval.Ablation;

/**
 * Cumulative ablation curves (Morcos et al.): per layer and order, accuracy and loss as the first
 * 0%, 10%, ..., 100% of the selected units in that order are ablated (set to 0, or to their dataset
 * mean); the area under each accuracy curve (trapezoids over the fraction). Orders: random (seeds
 * 0, 1, 2), selectivity high and low first, and RS high and low first for each rendered kind (ties
 * keep unit order). On the model's device where it has one, else on the CPU ({@link
 * DatasetMeasures#ablate}).
 */
record CumulativeAblation(List<AblationPoint> points, List<AblationArea> areas) {
  /** Random orders per layer, seeds 0 up. */
  static final int RANDOM_ORDERS = 3;

  static CumulativeAblation run(
      Model m,
      DatasetMeasures measures,
      AnalysisResult table,
      int images,
      AnalysisListener listener) {
    List<AblationPoint> points = new ArrayList<>();
    List<AblationArea> areas = new ArrayList<>();
    double[] fractions = UnitAnalysis.FRACTIONS;
    for (String layer : table.layerNames()) {
      List<UnitRow> list = table.unitsOf(layer);
      Map<String, int[]> orders = new LinkedHashMap<>();
      for (long seed = 0; seed < RANDOM_ORDERS; seed++) {
        List<UnitRow> shuffled = new ArrayList<>(list);
        Collections.shuffle(shuffled, new Random(seed));
        orders.put("random_" + seed, shuffled.stream().mapToInt(UnitRow::unit).toArray());
      }
      Map<String, ToDoubleFunction<UnitRow>> keys = new LinkedHashMap<>();
      keys.put("selectivity", UnitRow::selectivity);
      for (ImageObjective k : table.objectives()) keys.put("rs_" + k.key(), u -> u.rs(k));
      for (Map.Entry<String, ToDoubleFunction<UnitRow>> e : keys.entrySet()) {
        Comparator<UnitRow> low = Comparator.comparingDouble(e.getValue());
        orders.put(
            e.getKey() + "_low_first", list.stream().sorted(low).mapToInt(UnitRow::unit).toArray());
        orders.put(
            e.getKey() + "_high_first",
            list.stream().sorted(low.reversed()).mapToInt(UnitRow::unit).toArray());
      }
      // All orders of the layer in one ablation pass: the network up to the layer runs once per
      // chunk, and the sets the orders share (none ablated, all ablated) are scored once.
      List<int[]> sets = new ArrayList<>();
      for (int[] order : orders.values()) sets.addAll(Ablation.cumulative(order, fractions));
      List<Ablation.Score> all =
          DatasetMeasures.ablate(
              m,
              measures.graph,
              layer,
              sets,
              measures.data,
              measures.replacement,
              measures.means.get(layer),
              images);
      int first = 0;
      for (Map.Entry<String, int[]> o : orders.entrySet()) {
        List<Ablation.Score> scores = all.subList(first, first + fractions.length);
        first += fractions.length;
        double auc = 0;
        for (int i = 0; i < fractions.length; i++) {
          points.add(
              new AblationPoint(
                  layer,
                  o.getKey(),
                  fractions[i],
                  sets.get(first - fractions.length + i).length,
                  scores.get(i).accuracy(),
                  scores.get(i).meanLoss()));
          if (i > 0) {
            auc +=
                (fractions[i] - fractions[i - 1])
                    * (scores.get(i).accuracy() + scores.get(i - 1).accuracy())
                    / 2;
          }
        }
        AblationArea area = new AblationArea(layer, o.getKey(), auc);
        areas.add(area);
        listener.ablationCurve(area);
      }
    }
    return new CumulativeAblation(points, areas);
  }
}
