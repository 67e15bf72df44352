package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The broadcasting arithmetic kernels on a GPU; skipped where there is none. */
@Tag("gpu")
class ArithmeticKernelGpuTest extends ArithmeticKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
