package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The fused image-regularizer kernel (cuda/regularize.cu) on a GPU; skipped where there is none. */
@Tag("gpu")
class RegularizeKernelGpuTest extends RegularizeKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
