package org.featviz.directions;

/**
 * One direction's measures, a row of directions.csv. NaN where a measure is not defined: the
 * dataset measures without a dataset, the cosine of an image whose activation vector is zero.
 *
 * @param objective the direction objective's value on the final image (measured without
 *     transforms): the image's projection a . v on its direction, a being its channel means
 * @param cosine cos(a, v)
 * @param rs Representative Substitution within the image's population: the share of the k
 *     directions of its population (itself counted in k, as RS counts a layer) along which the
 *     image projects further than along its own, {@code rsAbove} / k
 * @param rsAbove how many of the other directions of its population the image drives harder
 * @param rsTies how many tie with its own
 * @param percentile the share of the dataset images whose projection on v is below the image's
 * @param purity the share of the modal class among the direction's top dataset exemplars
 * @param selectivity class selectivity of the projection, class means clamped at 0
 * @param preferredClass the class of the largest mean projection (null without a dataset)
 * @param image the PNG, relative to the study's folder
 */
public record DirectionRow(
    String layer,
    DirectionKind kind,
    int slot,
    int unit,
    String status,
    long seed,
    double objective,
    double cosine,
    double rs,
    int rsAbove,
    int rsTies,
    double percentile,
    double purity,
    double selectivity,
    String preferredClass,
    String image) {

  /** The value of one of the compared measures. */
  public double value(Measure m) {
    return switch (m) {
      case OBJECTIVE -> objective;
      case COSINE -> cosine;
      case RS -> rs;
      case PERCENTILE -> percentile;
      case PURITY -> purity;
      case SELECTIVITY -> selectivity;
    };
  }
}
