package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The fused image-regularizer kernel (cuda/regularize.cu) on the host emulator (CI; not a GPU verification). */
class RegularizeKernelEmuTest extends RegularizeKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
