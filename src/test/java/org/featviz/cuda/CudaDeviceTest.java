package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.featviz.device.DeviceContractCases;
import org.featviz.device.OnGpu;
import org.junit.jupiter.api.Test;

/** The device contract on a GPU through JCuda; skipped where there is no CUDA driver or GPU. */
@OnGpu
class CudaDeviceTest extends DeviceContractCases {
  @Test
  void namesTheGpu() {
    assertTrue(device.name().contains("CUDA device 0"), device.name());
  }
}
