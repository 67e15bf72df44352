package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The whitened objectives' kernels and GEMMs on a GPU; skipped where there is none. */
@Tag("gpu")
class WhitenedObjectiveGpuTest extends WhitenedObjectiveCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
