package org.featviz.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.featviz.ir.ModelException;

/**
 * Progress of long work on standard error: a bar with rate and ETA where standard error is a
 * terminal, and elsewhere (logs, CI, nohup) a plain line every {@link #DEFAULT_INTERVAL} or so,
 * such as {@code sweep: 120/640 unit steps (18%), 35 s elapsed, about 2 min left}, and a last one
 * when the work ends. Work that ends within the interval prints nothing. The interval is the system
 * property {@value #INTERVAL_PROPERTY} in seconds where set ({@code java
 * -Dfeatviz.progress.interval=60 -jar ...}).
 */
final class Progress implements IntConsumer, AutoCloseable {
  static final String INTERVAL_PROPERTY = "featviz.progress.interval";
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private final String task;
  private final long total;
  private final String unit;
  private final ProgressBar bar;
  private final PrintWriter log;
  private final long intervalNanos;
  private final LongSupplier clock;
  private final long start;
  private long lastLine;
  private long done;

  /** The count the last line showed, -1 before the first. */
  private long shown = -1;

  /**
   * Progress of {@code total} {@code unit}s (a plural noun: "images"), off a terminal as lines on
   * {@code err}.
   */
  Progress(String task, long total, String unit, PrintWriter err) {
    this(task, total, unit, err, System.console() != null, interval(), System::nanoTime);
  }

  /**
   * @param terminal whether to draw a bar on the process's standard error rather than print lines
   *     on {@code err}
   * @param clock nanoseconds, as {@link System#nanoTime}
   */
  Progress(
      String task,
      long total,
      String unit,
      PrintWriter err,
      boolean terminal,
      Duration interval,
      LongSupplier clock) {
    this.task = task;
    this.total = total;
    this.unit = unit;
    this.log = err;
    this.intervalNanos = interval.toNanos();
    this.clock = clock;
    this.start = clock.getAsLong();
    this.lastLine = start;
    bar =
        !terminal
            ? null
            : new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build();
  }

  /** {@code n} more done. */
  @Override
  public synchronized void accept(int n) {
    to(done + n);
  }

  /** {@code count} done in all. */
  synchronized void to(long count) {
    done = count;
    if (bar != null) {
      bar.stepTo(count);
      return;
    }
    long now = clock.getAsLong();
    if (now - lastLine >= intervalNanos && count != shown) line(now);
  }

  private void line(long now) {
    lastLine = now;
    shown = done;
    double elapsed = (now - start) / 1e9;
    long percent = total > 0 ? Math.min(100, done * 100 / total) : 100;
    String left =
        done > 0 && done < total
            ? ", about " + roughly(elapsed * (total - done) / done) + " left"
            : "";
    log.println(
        String.format(
            Locale.ROOT,
            "%s: %d/%d %s (%d%%), %s elapsed%s",
            task,
            done,
            total,
            unit,
            percent,
            elapsed(elapsed),
            left));
    log.flush();
  }

  @Override
  public synchronized void close() {
    if (bar != null) {
      bar.close();
    } else if (shown >= 0 && shown != done) {
      line(clock.getAsLong());
    }
  }

  /**
   * The interval of the plain lines: {@value #INTERVAL_PROPERTY} seconds where set, else the
   * default.
   */
  static Duration interval() {
    String text = System.getProperty(INTERVAL_PROPERTY);
    if (text == null || text.isBlank()) return DEFAULT_INTERVAL;
    try {
      double seconds = Double.parseDouble(text.strip());
      if (seconds >= 0 && seconds <= 1e6) return Duration.ofMillis(Math.round(seconds * 1000));
    } catch (NumberFormatException e) {
      // below
    }
    throw new ModelException(
        INTERVAL_PROPERTY
            + "="
            + text
            + ": expected the seconds between progress lines, such as 30");
  }

  /** 35 s, 2 min 5 s, 1 h 12 min. */
  static String elapsed(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) return s + " s";
    if (s < 3600) return s / 60 + " min " + s % 60 + " s";
    return s / 3600 + " h " + s % 3600 / 60 + " min";
  }

  /** An estimate to the minute past one: 40 s, 2 min, 1 h 12 min. */
  static String roughly(double seconds) {
    if (seconds < 59.5) return Math.round(seconds) + " s";
    long min = Math.round(seconds / 60);
    return min < 60 ? min + " min" : min / 60 + " h " + min % 60 + " min";
  }

  static String duration(double seconds) {
    Duration d = Duration.ofMillis((long) (seconds * 1000));
    return d.toMinutes() > 0
        ? d.toMinutes() + " min " + d.toSecondsPart() + " s"
        : String.format("%.2f s", seconds);
  }
}
