package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The reduce kernels on the host emulator (CI). */
class ReduceKernelEmuTest extends ReduceKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
