package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.featviz.sweep.Sweep;
import org.featviz.sweep.UnitResult;

/**
 * What a sweep tells its user: images found missing, a resume, progress per optimization step of
 * each unit (a chunk of 64 units of 256 steps is long), and the closing summary that tells this run
 * from earlier ones.
 */
final class SweepProgress implements Sweep.Listener, AutoCloseable {
  private final PrintWriter out;
  private final PrintWriter err;
  private final Path folder;
  private final int steps;
  private final long start = System.nanoTime();
  private Progress bar;

  /** Unit steps done before the running chunk, and the units of that chunk. */
  private long doneSteps;

  private long chunkUnits;

  /** Units done by earlier runs. */
  private int before;

  SweepProgress(PrintWriter out, PrintWriter err, Path folder, int steps) {
    this.out = out;
    this.err = err;
    this.folder = folder;
    this.steps = steps;
  }

  @Override
  public void imagesMissing(int n) {
    out.printf(
        n == 1
            ? "1 unit's image is missing in %2$s: it is done again%n"
            : "%d units' images are missing in %s: they are done again%n",
        n,
        folder);
  }

  @Override
  public void started(int total, int alreadyDone) {
    before = alreadyDone;
    if (alreadyDone > 0) {
      out.printf("resuming: %d of %d units already done in %s%n", alreadyDone, total, folder);
    }
    out.flush();
    bar = new Progress("sweep", (long) (total - alreadyDone) * steps, "unit steps", err);
  }

  @Override
  public void chunkStarted(int n) {
    chunkUnits = n;
  }

  @Override
  public void step(int step, int ofSteps) {
    bar.to(doneSteps + step * chunkUnits);
  }

  @Override
  public void chunkDone(int n) {
    doneSteps += (long) n * steps;
    bar.to(doneSteps);
  }

  /**
   * "N units in [layers] in T; D dead, X diverged; results in F", saying which units were done
   * before.
   */
  String summary(List<UnitResult> results, List<String> layers) {
    long dead = results.stream().filter(r -> r.status().equals("dead")).count();
    long nan = results.stream().filter(r -> r.status().equals("nan")).count();
    String time = Progress.duration((System.nanoTime() - start) / 1e9);
    String run =
        before == 0
            ? " in " + time
            : before == results.size()
                ? " (all from before)"
                : String.format(
                    " (%d done in %s this run, %d from before)",
                    results.size() - before, time, before);
    return String.format(
        "%d units in %s%s; %d dead, %d diverged; results in %s",
        results.size(), layers, run, dead, nan, folder.resolve("results.csv"));
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }
}
