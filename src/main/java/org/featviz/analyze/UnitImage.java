package org.featviz.analyze;

/**
 * A unit's measures on one of its images (AM or IAM), as units.csv has them.
 *
 * @param rs Representative Substitution on the image: the share of the layer's units that respond
 *     more than the unit to it; NaN where the image's responses are not finite
 * @param rsTies units responding exactly as much, or null where rs is NaN
 * @param activation the unit's activation on the image
 * @param percentile the share of the dataset images the unit responds to less than to the image
 * @param status "ok", "dead" or "nan" as the sweep records it
 * @param image the PNG, relative to the analysis folder ("am/relu2/unit_0003.png")
 */
public record UnitImage(
    double rs, Integer rsTies, double activation, double percentile, String status, String image) {}
