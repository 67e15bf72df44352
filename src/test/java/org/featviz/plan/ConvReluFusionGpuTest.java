package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.junit.jupiter.api.Tag;

/** The Conv + bias + ReLU fusion on a GPU (cudnnConvolutionBiasActivationForward); skipped where there is none. */
@Tag("gpu")
class ConvReluFusionGpuTest extends ConvReluFusionCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
