package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.featviz.analyze.ImageObjective;
import org.featviz.sweep.ChunkRunner;
import org.featviz.sweep.SweepChunk;
import org.featviz.sweep.UnitResult;
import picocli.CommandLine;

/**
 * {@code featviz analyze} as a job for a cluster (org.featviz.spark), as {@link SweepJob} is for a
 * sweep: the driver runs the analysis from its command line, its dataset passes and ablations on
 * its own device, while the chunks of its AM and IAM sweeps are rendered by the cluster's tasks,
 * each rebuilding the render settings from the same command line.
 */
public final class AnalyzeJob {
  private AnalyzeJob() {}

  /**
   * Runs {@code featviz analyze ARGS} (args without the word "analyze") with each kind's render
   * chunks given to {@code cluster}'s runner for it; returns the exit code the CLI would (bad
   * input: one line on err, 2).
   */
  public static int runDriver(
      String[] args,
      Function<ImageObjective, ChunkRunner> cluster,
      PrintWriter out,
      PrintWriter err) {
    return DriverRun.run(
        "analyze", AnalyzeCommand.class, () -> new AnalyzeCommand(cluster), args, out, err);
  }

  /**
   * Renders one chunk of the {@code kind} sweep of the analysis {@code args} describe (as given to
   * {@link #runDriver}) on {@code device} ("cpu", or a GPU's CUDA ordinal such as "0"), writing its
   * images under {@code folder}; returns its rows (image paths relative to {@code folder}).
   */
  public static List<UnitResult> renderChunk(
      String[] args, ImageObjective kind, SweepChunk chunk, String device, Path folder) {
    AnalyzeCommand analyze = new AnalyzeCommand();
    new CommandLine(analyze).parseArgs(args);
    return analyze.renderChunk(kind, chunk, device, folder);
  }
}
