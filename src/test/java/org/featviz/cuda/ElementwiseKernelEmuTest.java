package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The element-wise kernels on the host emulator (CI). */
class ElementwiseKernelEmuTest extends ElementwiseKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
