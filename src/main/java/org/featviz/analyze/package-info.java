/**
 * The unit analysis as a library ({@link org.featviz.analyze.UnitAnalysis}, the work of {@code
 * featviz analyze}): the renders, dataset passes and ablations that the measures of {@code
 * analysis} are computed from, the tables they make as records and CSV files. Uses {@code eval},
 * {@code sweep}, {@code render} and {@code report}; only the command line uses it.
 */
package org.featviz.analyze;
