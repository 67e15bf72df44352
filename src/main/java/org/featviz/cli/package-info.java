/**
 * The featviz command line (picocli): a thin client of the library; ModelException becomes a
 * message and exit code 2.
 */
package org.featviz.cli;
