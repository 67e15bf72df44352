package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** Batched MatMul and the pool kernels through device plans on the host emulator. */
class BatchedMatMulAndPoolKernelEmuTest extends BatchedMatMulAndPoolKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
