/**
 * Benchmark entry points that bench/ runs beside the peer (a Lucid-style PyTorch pipeline): each
 * opens a model, checks that the work it is about to time gives sane results, then times it and
 * prints one parseable line. Not used by the CLI or the library; never run as timed unit tests
 * (DESIGN.md section 7).
 */
package org.featviz.bench;
