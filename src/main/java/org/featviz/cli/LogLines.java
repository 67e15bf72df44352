package org.featviz.cli;

import java.io.PrintWriter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The library's notes (System.Logger "org.featviz": which backend was chosen and why, ...) as plain
 * lines on the command's error stream while it runs, instead of java.util.logging's two-line
 * records with timestamps.
 */
final class LogLines implements AutoCloseable {
  /**
   * Held strongly: java.util.logging keeps loggers only weakly, and a collected one would lose the
   * handler.
   */
  private static final Logger LOGGER = Logger.getLogger("org.featviz");

  private final Handler handler;
  private final boolean parentHandlers;

  LogLines(PrintWriter err) {
    handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (!isLoggable(r)) return;
            String text = getFormatter() == null ? r.getMessage() : getFormatter().formatMessage(r);
            err.println(
                r.getLevel().intValue() >= Level.WARNING.intValue()
                    ? "featviz: warning: " + text
                    : text);
            err.flush();
          }

          @Override
          public void flush() {
            err.flush();
          }

          @Override
          public void close() {}
        };
    handler.setLevel(Level.INFO);
    handler.setFormatter(new java.util.logging.SimpleFormatter());
    parentHandlers = LOGGER.getUseParentHandlers();
    LOGGER.setUseParentHandlers(false);
    LOGGER.addHandler(handler);
  }

  @Override
  public void close() {
    LOGGER.removeHandler(handler);
    LOGGER.setUseParentHandlers(parentHandlers);
  }
}
