package org.featviz.conformance;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The ONNX node cases through device plans on a GPU (cuDNN, cuBLAS, PTX kernels); skipped where
 * there is none.
 */
@Tag("gpu")
class DeviceConformanceGpuTest {
  @Test
  void everyCaseTheCpuPassesPassesOnTheGpuUnlessRefusedByDesign() {
    try (Device device = DeviceTesting.gpuOrSkip()) {
      DeviceConformanceTest.checkEveryCase(device);
    }
  }
}
