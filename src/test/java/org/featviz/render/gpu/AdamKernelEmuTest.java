package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The adam kernels on the host emulator (CI). */
class AdamKernelEmuTest extends AdamKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
