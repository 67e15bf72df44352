package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** Batched MatMul and the pool kernels through device plans on a GPU; skipped where there is none. */
@Tag("gpu")
class BatchedMatMulAndPoolKernelGpuTest extends BatchedMatMulAndPoolKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
