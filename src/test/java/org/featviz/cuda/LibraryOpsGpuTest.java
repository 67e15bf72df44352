package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.featviz.device.LibraryOpsCases;
import org.junit.jupiter.api.Tag;

/** The library operations on a GPU, through cuDNN and cuBLAS; skipped where there is none. */
@Tag("gpu")
class LibraryOpsGpuTest extends LibraryOpsCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
