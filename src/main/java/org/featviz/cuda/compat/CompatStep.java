package org.featviz.cuda.compat;

/**
 * One thing {@link CudaCompat#prepare()} checked or did, for logs and error messages: what it
 * concerned ({@code "libcublas.so.12"}), how it ended, and a sentence of detail.
 */
public record CompatStep(String subject, Outcome outcome, String detail) {
  /**
   * NOT_NEEDED: the host already has what the natives need. DONE: a fix is in place. FAILED: it
   * could not be.
   */
  public enum Outcome {
    NOT_NEEDED,
    DONE,
    FAILED
  }

  public boolean failed() {
    return outcome == Outcome.FAILED;
  }

  @Override
  public String toString() {
    return subject + ": " + outcome.name().toLowerCase().replace('_', ' ') + " (" + detail + ")";
  }
}
