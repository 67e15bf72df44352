package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The kernels of cuda/layout.cu on the host emulator (CI). */
class LayoutKernelEmuTest extends LayoutKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
