package org.featviz.render.gpu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;

/** The diversity term (cuda/diversity.cu and the Gram GEMMs) on the host emulator (CI; not a GPU verification). */
class DiversityKernelEmuTest extends DiversityKernelCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
