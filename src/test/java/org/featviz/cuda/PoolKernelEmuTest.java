package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** cuda/pool.cu on the host emulator. */
class PoolKernelEmuTest extends PoolKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
