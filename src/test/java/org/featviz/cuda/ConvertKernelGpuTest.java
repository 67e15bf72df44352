package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The conversion kernels of cuda/convert.cu on a GPU; skipped where there is none. */
@Tag("gpu")
class ConvertKernelGpuTest extends ConvertKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
