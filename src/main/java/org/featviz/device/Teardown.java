package org.featviz.device;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs every step of a close, whichever fail, and reports the failures together. A device's close
 * after a fault must still destroy every handle it holds (a leaked context or handle poisons every
 * later user of the GPU in the process), so a failing step is recorded and the next one runs;
 * {@link #finish()} then throws one DeviceException naming each failed step, with the original
 * exceptions as suppressed ones.
 *
 * <pre>
 * Teardown t = new Teardown("closing " + name);
 * t.run("cublasDestroy", cublas::close);
 * t.run("cuStreamDestroy", () -> check(cuStreamDestroy(stream), "cuStreamDestroy"));
 * t.finish();   // throws if either failed, after both ran
 * </pre>
 */
public final class Teardown {
  /** One step that failed: its name and what it threw. */
  public record Failure(String step, RuntimeException error) {
    @Override
    public String toString() {
      String message = String.valueOf(error.getMessage());
      return message.contains(step) ? message : step + ": " + message;
    }
  }

  private final String what;
  private final List<Failure> failures = new ArrayList<>();
  private final List<String> steps = new ArrayList<>();

  /**
   * @param what the whole operation, as the exception's message starts ("closing NVIDIA H200 (CUDA
   *     device 0)")
   */
  public Teardown(String what) {
    this.what = what;
  }

  /**
   * Runs one step; a RuntimeException it throws is recorded, not propagated. Returns whether it
   * succeeded.
   */
  public boolean run(String step, Runnable action) {
    steps.add(step);
    try {
      action.run();
      return true;
    } catch (RuntimeException e) {
      failures.add(new Failure(step, e));
      return false;
    }
  }

  /** Records a failure found outside {@link #run} (a status checked by hand). */
  public void fail(String step, RuntimeException error) {
    steps.add(step);
    failures.add(new Failure(step, error));
  }

  /** The steps run or recorded so far, in order. */
  public List<String> steps() {
    return List.copyOf(steps);
  }

  public List<Failure> failures() {
    return List.copyOf(failures);
  }

  public boolean failed() {
    return !failures.isEmpty();
  }

  /** Throws one DeviceException listing every failed step, if any failed; otherwise returns. */
  public void finish() {
    if (failures.isEmpty()) return;
    StringBuilder m =
        new StringBuilder(what)
            .append(": ")
            .append(failures.size())
            .append(" of ")
            .append(steps.size())
            .append(" steps failed (every step was run):");
    for (Failure f : failures) m.append("\n  ").append(f);
    DeviceException e = new DeviceException(m.toString(), failures.get(0).error());
    for (Failure f : failures.subList(1, failures.size())) e.addSuppressed(f.error());
    throw e;
  }
}
