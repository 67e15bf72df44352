package org.featviz.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.featviz.backend.DeviceUnavailableException;
import org.featviz.ir.ModelException;
import org.featviz.passes.InputShapes;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The featviz command line: a thin client of the library. Exit codes: 0 success, 1 a failed check
 * (conformance, doctor), 2 bad input or usage (one line {@code featviz: error: ...}), 3 an internal
 * failure (a bug: one line saying so, the stack trace in a file it names).
 */
@Command(
    name = "featviz",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    scope = CommandLine.ScopeType.INHERIT, // every subcommand answers --help/-h and --version/-V
    description = "Feature visualization and unit analysis of ONNX networks.",
    subcommands = {
      InfoCommand.class,
      RenderCommand.class,
      SweepCommand.class,
      AnalyzeCommand.class,
      RegionsCommand.class,
      DirectionsCommand.class,
      EvalCommand.class,
      ConformanceCommand.class,
      DoctorCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  static final int USAGE = 2;
  static final int INTERNAL = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (see the class comment). */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs the CLI with the given output and error streams (tests capture them). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(CommandLine.defaultFactory(), out, err, args);
  }

  /** The same, with the commands made by {@code factory} (a cluster's sweep: SweepJob). */
  static int run(CommandLine.IFactory factory, PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main(), factory);
    cli.setOut(out);
    cli.setErr(err);
    // picocli answers --help before it looks at an unknown command: an unknown command is an error
    // whatever follows.
    if (args.length > 0 && !args[0].startsWith("-") && !cli.getSubcommands().containsKey(args[0])) {
      err.println(
          "featviz: error: unknown command '"
              + args[0]
              + "'; commands: "
              + String.join(", ", cli.getSubcommands().keySet())
              + " (featviz --help)");
      return USAGE;
    }
    cli.setParameterExceptionHandler(
        (e, arguments) -> {
          CommandLine c = e.getCommandLine();
          c.getErr()
              .println(
                  "featviz: error: "
                      + e.getMessage()
                      + " ("
                      + c.getCommandSpec().qualifiedName()
                      + " --help"
                      + " shows the options)");
          return USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> handle(e, commandLine.getErr()));
    try (LogLines notes = new LogLines(err)) {
      return cli.execute(args);
    }
  }

  /**
   * A user error (bad model, option or file) as one line and exit 2; anything else as an internal
   * failure.
   */
  static int handle(Exception e, PrintWriter err) {
    Throwable cause = e;
    if (cause instanceof UncheckedIOException u) cause = u.getCause();
    if (e instanceof DeviceUnavailableException) {
      err.println(
          "featviz: error: --device gpu: "
              + e.getMessage()
              + " (--device cpu runs on the CPU, --device"
              + " emulated runs the GPU code on the host emulator)");
      return USAGE;
    }
    if (e instanceof InputShapes.InputShapeException) {
      // the library says "the input shape"; on the command line that is the option
      err.println("featviz: error: " + e.getMessage().replace("the input shape", "--input-shape"));
      return USAGE;
    }
    if (e instanceof ModelException) {
      err.println("featviz: error: " + e.getMessage());
      return USAGE;
    }
    if (cause instanceof IOException io) {
      // Reading or writing the user's files failed (a folder that is a file, no permission, disk
      // full, ...).
      String context =
          e instanceof UncheckedIOException
                  && e.getMessage() != null
                  && !e.getMessage().equals(io.toString())
              ? e.getMessage() + ": "
              : "";
      err.println("featviz: error: " + context + describe(io));
      return USAGE;
    }
    err.println("featviz: internal error: " + e + " (a bug in featviz; " + traceFile(e) + ")");
    return INTERNAL;
  }

  /** An I/O failure in words: the JDK names some only by their type and the file. */
  static String describe(IOException e) {
    String file = e instanceof java.nio.file.FileSystemException f ? f.getFile() : null;
    String reason =
        e instanceof java.nio.file.FileSystemException f ? f.getReason() : e.getMessage();
    if (e instanceof java.nio.file.AccessDeniedException) reason = "permission denied";
    if (e instanceof java.nio.file.FileAlreadyExistsException)
      reason = "exists and is not a folder";
    if (e instanceof java.nio.file.NoSuchFileException) reason = "no such file or folder";
    if (e instanceof java.nio.file.NotDirectoryException) reason = "is not a folder";
    if (reason == null) reason = e.getClass().getSimpleName();
    return file == null ? reason : file + ": " + reason;
  }

  /** Writes the stack trace of an internal failure to a temporary file and says where. */
  private static String traceFile(Throwable e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    try {
      Path file = Files.createTempFile("featviz-error-", ".txt");
      Files.writeString(file, trace.toString());
      return "stack trace in " + file;
    } catch (IOException | RuntimeException io) {
      return "stack trace:\n" + trace;
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
