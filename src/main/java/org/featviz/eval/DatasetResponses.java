package org.featviz.eval;

/**
 * What the analysis asks of the dataset's unit responses, wherever they were computed: on the host
 * ({@link UnitResponses}, the reference) or on a device ({@link DeviceUnitResponses}).
 */
public interface DatasetResponses {
  /** How many images were run. */
  int images();

  int units(String layer);

  /** The unit's mean response per class; a class with no image among those run has NaN. */
  double[] classMeans(String layer, int unit);

  /** The indices of the k images the unit responds to most, most first (ties: lower index). */
  int[] topImages(String layer, int unit, int k);

  /** The unit's responses to {@link #topImages}, in the same order. */
  float[] topValues(String layer, int unit, int k);

  /** Each unit's mean response over the images [units] (summed in double in image order). */
  float[] unitMeans(String layer);

  /** The share of the images whose response is below {@code value}, in [0, 1]. */
  double percentile(String layer, int unit, double value);
}
