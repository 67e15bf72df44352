package org.featviz.render;

/**
 * Sees the parameters of every image of a render: the initial ones (step 0) and those after each
 * step. Tests use it to compare renderers step by step (the CPU {@link Renderer} and the device
 * renderer draw the same initial parameters and transforms); it can also record an optimization's
 * trajectory. A renderer given no probe copies nothing.
 */
@FunctionalInterface
public interface StepProbe {
  /**
   * params[b] (one array per image, the renderer's own layout; copies the probe may keep) after
   * step {@code step}.
   */
  void afterStep(int step, float[][] params);
}
