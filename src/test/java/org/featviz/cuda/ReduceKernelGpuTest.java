package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The reduce kernels on a GPU; skipped where there is none. */
@Tag("gpu")
class ReduceKernelGpuTest extends ReduceKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
