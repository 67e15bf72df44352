package org.featviz.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Analysis results made up for tests of the plots and the report: seeded random measures for any
 * number of units spread over the given layers, with cumulative ablation curves in every order the
 * analysis writes, and now and then a unit whose image diverged (no RS) or is dead.
 */
final class SyntheticAnalysis {
  private SyntheticAnalysis() {}

  static final List<String> CLASSES =
      List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Bag");

  static AnalysisResult of(List<String> layers, int units, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<ImageObjective> kinds = List.of(ImageObjective.AM, ImageObjective.IAM);
    List<UnitRow> rows = new ArrayList<>();
    int perLayer = (units + layers.size() - 1) / layers.size();
    for (int i = 0; i < units; i++) {
      String layer = layers.get(i / perLayer);
      int unit = i % perLayer;
      double selectivity = random.nextDouble() * (0.3 + 0.1 * (i / perLayer));
      Map<ImageObjective, UnitImage> images = new java.util.EnumMap<>(ImageObjective.class);
      for (ImageObjective k : kinds) {
        boolean diverged = random.nextInt(97) == 0;
        String status = diverged ? "nan" : random.nextInt(53) == 0 ? "dead" : "ok";
        double rs = diverged ? Double.NaN : Math.min(0.99, selectivity * random.nextDouble() * 2);
        images.put(
            k,
            new UnitImage(
                rs,
                diverged ? null : random.nextInt(3),
                random.nextDouble() * 5,
                random.nextDouble(),
                status,
                k.key()
                    + "/"
                    + DatasetMeasures.safe(layer)
                    + String.format("/unit_%04d.png", unit)));
      }
      rows.add(
          new UnitRow(
              layer,
              unit,
              selectivity,
              CLASSES.get(random.nextInt(CLASSES.size())),
              images,
              random.nextDouble() * 0.01 - 0.002,
              random.nextDouble() * 0.05,
              DatasetMeasures.exemplarPath(layer, unit)));
    }
    List<AblationPoint> points = new ArrayList<>();
    List<AblationArea> areas = new ArrayList<>();
    List<String> orders = new ArrayList<>(List.of("random_0", "random_1", "random_2"));
    for (String m : List.of("selectivity", "rs_am", "rs_iam")) {
      orders.add(m + "_low_first");
      orders.add(m + "_high_first");
    }
    for (String layer : layers) {
      for (String order : orders) {
        double slope = 0.3 + random.nextDouble() * 0.5;
        double auc = 0;
        double previous = 0;
        for (int f = 0; f <= 10; f++) {
          double fraction = f / 10.0;
          double accuracy = 0.9 - slope * fraction * fraction;
          points.add(new AblationPoint(layer, order, fraction, f * perLayer / 10, accuracy, 1));
          if (f > 0) auc += 0.1 * (accuracy + previous) / 2;
          previous = accuracy;
        }
        areas.add(new AblationArea(layer, order, auc));
      }
    }
    List<LayerRow> stats = new ArrayList<>();
    List<String> measures = List.of("rs_am", "rs_iam", "selectivity", "ablation_accuracy_drop");
    for (String layer : layers) {
      for (int a = 0; a < measures.size(); a++) {
        for (int b = a + 1; b < measures.size(); b++) {
          double rho = random.nextDouble() * 2 - 1;
          stats.add(
              new LayerRow(
                  layer,
                  perLayer,
                  measures.get(a),
                  measures.get(b),
                  rho,
                  random.nextDouble(),
                  rho - 0.1,
                  rho + 0.1));
        }
      }
    }
    return new AnalysisResult(kinds, rows, stats, points, areas);
  }
}
