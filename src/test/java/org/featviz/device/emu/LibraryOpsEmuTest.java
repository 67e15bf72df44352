package org.featviz.device.emu;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.featviz.device.LibraryOpsCases;

/** The library operations on the host emulator, where the CPU reference kernels compute them (CI). */
class LibraryOpsEmuTest extends LibraryOpsCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.emulator();
  }
}
