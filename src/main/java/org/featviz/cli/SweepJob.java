package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.featviz.sweep.ChunkRunner;
import org.featviz.sweep.SweepChunk;
import org.featviz.sweep.UnitResult;
import picocli.CommandLine;

/**
 * {@code featviz sweep} as a job for a cluster (org.featviz.spark): the driver plans the sweep from
 * its command line and journals it exactly as the command does, while the chunks are rendered by
 * the cluster's tasks, each of which rebuilds the sweep's settings from the same command line. The
 * command line is all a task needs, so nothing but strings and chunks crosses the network.
 */
public final class SweepJob {
  private SweepJob() {}

  /**
   * Runs {@code featviz sweep ARGS} (args without the word "sweep") with its chunks rendered by
   * {@code cluster}; returns the exit code the CLI would (bad input: one line on err, 2).
   */
  public static int runDriver(
      String[] args, ChunkRunner cluster, PrintWriter out, PrintWriter err) {
    return DriverRun.run(
        "sweep", SweepCommand.class, () -> new SweepCommand(cluster), args, out, err);
  }

  /**
   * Renders one chunk of the sweep {@code args} describe (as given to {@link #runDriver}) on {@code
   * device} ("cpu", or a GPU's CUDA ordinal such as "0"), writing its images under {@code folder};
   * returns its rows (image paths relative to {@code folder}).
   */
  public static List<UnitResult> renderChunk(
      String[] args, SweepChunk chunk, String device, Path folder) {
    SweepCommand sweep = new SweepCommand();
    new CommandLine(sweep).parseArgs(args);
    return sweep.renderChunk(chunk, device, folder);
  }
}
