package org.featviz.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every featviz command that runs shares: the picocli spec it is called with, and from it the
 * streams it writes to (the command line's, which tests replace).
 */
abstract class FeatvizCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** Results: what a user or a script reads. */
  PrintWriter stdout() {
    return spec.commandLine().getOut();
  }

  /** Progress, notes and warnings. */
  PrintWriter stderr() {
    return spec.commandLine().getErr();
  }
}
