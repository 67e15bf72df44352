package org.featviz.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * A featviz command run as a cluster job's driver ({@link SweepJob}, {@link AnalyzeJob}): the CLI
 * as it is, but for the one command, which is made with what the cluster gives it.
 */
final class DriverRun {
  private DriverRun() {}

  /**
   * Runs {@code featviz WORD ARGS} with {@code type}'s command made by {@code command}; returns the
   * exit code the CLI would (bad input: one line on err, 2).
   */
  static <C> int run(
      String word,
      Class<C> type,
      Supplier<C> command,
      String[] args,
      PrintWriter out,
      PrintWriter err) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> k) throws Exception {
            return k == type ? k.cast(command.get()) : defaults.create(k);
          }
        };
    String[] full = new String[args.length + 1];
    full[0] = word;
    System.arraycopy(args, 0, full, 1, args.length);
    return Main.run(factory, out, err, full);
  }
}
