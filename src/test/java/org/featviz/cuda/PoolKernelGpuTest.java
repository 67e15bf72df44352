package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** cuda/pool.cu on a GPU; skipped where there is none. */
@Tag("gpu")
class PoolKernelGpuTest extends PoolKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
