package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The render bookkeeping kernels on a GPU; skipped where there is none. */
@Tag("gpu")
class RenderKernelGpuTest extends RenderKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
