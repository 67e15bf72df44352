package org.featviz.directions;

import java.util.ArrayList;
import java.util.List;
import org.featviz.analysis.MannWhitney;
import org.featviz.analysis.Quantiles;

/**
 * Basis against random on one measure of one layer: the medians and the Mann-Whitney test (basis as
 * the first sample: U counts the pairs where the basis direction scores higher, the rank-biserial
 * effect is positive where basis directions score higher). Directions whose value is NaN are left
 * out ({@code basisN}, {@code randomN} count those kept); with an empty population the test is NaN.
 */
public record Comparison(
    String layer,
    Measure measure,
    int basisN,
    int randomN,
    double basisMedian,
    double randomMedian,
    double u,
    double z,
    double p,
    double rankBiserial,
    boolean exact) {

  /** The comparison of the rows' values of {@code m} (rows of one layer, both kinds). */
  public static Comparison of(String layer, Measure m, List<DirectionRow> rows) {
    double[] basis = values(rows, DirectionKind.BASIS, m);
    double[] random = values(rows, DirectionKind.RANDOM, m);
    double mb = Quantiles.median(basis);
    double mr = Quantiles.median(random);
    MannWhitney.Result t =
        basis.length == 0 || random.length == 0
            ? new MannWhitney.Result(
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, false, basis.length, random.length)
            : MannWhitney.test(basis, random);
    return new Comparison(
        layer,
        m,
        basis.length,
        random.length,
        mb,
        mr,
        t.u(),
        t.z(),
        t.p(),
        t.rankBiserial(),
        t.exact());
  }

  private static double[] values(List<DirectionRow> rows, DirectionKind kind, Measure m) {
    List<Double> v = new ArrayList<>();
    for (DirectionRow r : rows) {
      double x = r.value(m);
      if (r.kind() == kind && !Double.isNaN(x)) v.add(x);
    }
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
