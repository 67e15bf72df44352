package org.featviz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.featviz.CommandWords;

/** Runs the CLI in-process and captures what it prints. */
public record CliRunner(int exitCode, String out, String err) {
  public static CliRunner run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRunner(code, out.toString(), err.toString());
  }

  /** Runs {@code line} split into words as {@link CommandWords#of} does. */
  public static CliRunner line(String line, Object... values) {
    return run(CommandWords.of(line, values));
  }

  /** Runs {@code line} as {@link #line} does and asserts exit code 0, showing stderr if not. */
  public static CliRunner ok(String line, Object... values) {
    CliRunner r = line(line, values);
    assertEquals(0, r.exitCode(), r.err());
    return r;
  }
}
