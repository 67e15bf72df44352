package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The diversity term (cuda/diversity.cu and the Gram GEMMs) on a GPU; skipped where there is none. */
@Tag("gpu")
class DiversityKernelGpuTest extends DiversityKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
