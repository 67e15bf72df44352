package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The conversion kernels of cuda/convert.cu on the host emulator (CI). */
class ConvertKernelEmuTest extends ConvertKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
