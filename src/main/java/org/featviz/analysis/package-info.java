/**
 * Unit analysis: how replaceable a unit is (Representative Substitution), how selective it is for
 * one class, and how such per-unit measures relate across a layer (Spearman's rho with a
 * permutation p-value and a bootstrap interval). Pure functions on activations; the renders and
 * dataset passes that produce them live elsewhere.
 */
package org.featviz.analysis;
