package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.featviz.sweep.Sweep;
import org.featviz.sweep.UnitResult;

/**
 * What a sweep tells its user: images found missing, the workers where there are several, a resume,
 * progress per optimization step of each unit (a chunk of 64 units of 256 steps is long; with
 * several workers one count over all of them), a worker that failed, and the closing summary that
 * tells this run from earlier ones.
 */
final class SweepProgress implements Sweep.Listener, AutoCloseable {
  private final PrintWriter out;
  private final PrintWriter err;
  private final Path folder;
  private final int steps;
  private final long start = System.nanoTime();
  private Progress bar;

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
  public void workers(List<String> backends) {
    // "3 workers: 2 x gpu (A), gpu (B)": one line however many workers there are
    java.util.Map<String, Integer> count = new java.util.LinkedHashMap<>();
    for (String b : backends) count.merge(b, 1, Integer::sum);
    List<String> parts =
        count.entrySet().stream()
            .map(e -> e.getValue() == 1 ? e.getKey() : e.getValue() + " x " + e.getKey())
            .toList();
    out.printf("%d workers: %s%n", backends.size(), String.join(", ", parts));
    out.flush();
  }

  @Override
  public void progress(long unitSteps) {
    bar.to(unitSteps);
  }

  @Override
  public void workerFailed(String worker, String chunk) {
    err.printf(
        "%s failed on %s; the other workers finish their chunks, and a rerun resumes%n",
        worker, chunk);
    err.flush();
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
