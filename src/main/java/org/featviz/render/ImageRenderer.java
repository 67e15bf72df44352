package org.featviz.render;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * Batched activation maximization on one backend: every image of the batch has its own objective,
 * and one forward and one backward pass per step serve them all. Two implementations: the CPU
 * {@link Renderer} and the device renderer of {@code render.gpu}, which keeps a whole step on the
 * GPU (or the host emulator). Both give the same images, statuses and values up to float rounding;
 * {@link RenderSteps} holds what they share.
 */
public interface ImageRenderer extends AutoCloseable {
  /** The image every target optimizes, [C, H, W]. */
  org.featviz.ir.Shape imageShape();

  /** Optimizes one image per target; {@code onStep} is told after every step (1..steps). */
  default List<RenderResult> render(List<RenderTarget> targets, IntConsumer onStep) {
    return render(targets, onStep, null);
  }

  /**
   * As {@link #render(List, IntConsumer)}, showing every image's parameters to {@code probe} (may
   * be null).
   */
  List<RenderResult> render(List<RenderTarget> targets, IntConsumer onStep, StepProbe probe);

  /** Releases what the renderer holds on its backend (nothing on the CPU); idempotent. */
  @Override
  void close();
}
