/**
 * Labelled image datasets for the analyses that need them (class selectivity, Representative
 * Substitution baselines): the IDX file format ({@link org.featviz.data.IdxReader}), Fashion-MNIST
 * as Debian's {@code dataset-fashion-mnist} installs it ({@link org.featviz.data.FashionMnist}),
 * and the in-memory {@link org.featviz.data.Dataset} they produce. Every problem with the files is
 * a {@link org.featviz.data.DatasetException} that names the file.
 */
package org.featviz.data;
