package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The broadcasting arithmetic kernels on the host emulator (CI). */
class ArithmeticKernelEmuTest extends ArithmeticKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
