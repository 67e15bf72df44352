package org.featviz.device.emu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.featviz.device.FusedAndBatchedOpsCases;

/** The fused convolution and the strided-batched GEMM on the host emulator (the CPU reference computes them). */
class FusedAndBatchedOpsEmuTest extends FusedAndBatchedOpsCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
