package org.featviz.cli;

import java.io.PrintWriter;
import org.featviz.ir.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The featviz command line: a thin client of the library. */
@Command(name = "featviz", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Feature visualization and unit analysis of ONNX networks.",
    subcommands = {InfoCommand.class, RenderCommand.class, SweepCommand.class, EvalCommand.class, ConformanceCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code: 0 success, 1 a failed check, 2 bad input or usage. */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs the CLI with the given output and error streams (tests capture them). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ModelException) {
        commandLine.getErr().println("featviz: error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
