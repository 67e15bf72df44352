package org.featviz.cli;

import java.time.Duration;
import java.util.function.IntConsumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error with rate and ETA for long work; silent where standard error is not a terminal
 * (logs and CI), so output stays readable there.
 */
final class Progress implements IntConsumer, AutoCloseable {
  private final ProgressBar bar;

  Progress(String task, long total, String unit) {
    bar = System.console() == null ? null : new ProgressBarBuilder()
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

  @Override
  public void accept(int done) {
    if (bar != null) bar.stepBy(done);
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }

  static String duration(double seconds) {
    Duration d = Duration.ofMillis((long) (seconds * 1000));
    return d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s" : String.format("%.2f s", seconds);
  }
}
