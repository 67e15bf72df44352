package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The kernels of cuda/layout.cu on a GPU; skipped where there is none. */
@Tag("gpu")
class LayoutKernelGpuTest extends LayoutKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
