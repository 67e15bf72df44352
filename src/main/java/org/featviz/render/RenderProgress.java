package org.featviz.render;

/**
 * Told after every optimization step of a render, so that a caller can drive a progress bar or a
 * log line; the command line's progress display is one such listener.
 *
 * <pre>{@code
 * model.render(targets, options, (done, total) -> System.err.printf("step %d of %d%n", done, total));
 * }</pre>
 */
@FunctionalInterface
public interface RenderProgress {
  /** {@code done} of {@code total} steps are finished (1..total, in order). */
  void step(int done, int total);
}
