/**
 * Running a model over labelled datasets: classifier evaluation (featviz eval) and a layer's
 * activation samples, which the whitened objectives' whitening is estimated from.
 */
package org.featviz.eval;
