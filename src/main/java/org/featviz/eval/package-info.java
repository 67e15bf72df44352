/** Classifier evaluation over labelled datasets (featviz eval). */
package org.featviz.eval;
