package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The element-wise kernels on a GPU; skipped where there is none. */
@Tag("gpu")
class ElementwiseKernelGpuTest extends ElementwiseKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
