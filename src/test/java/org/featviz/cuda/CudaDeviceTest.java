package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.featviz.device.Device;
import org.featviz.device.DeviceContractCases;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The device contract on a GPU through JCuda; skipped where there is no CUDA driver or GPU. */
@Tag("gpu")
class CudaDeviceTest extends DeviceContractCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }

  @Test
  void namesTheGpu() {
    assertTrue(device.name().contains("CUDA device 0"), device.name());
  }
}
