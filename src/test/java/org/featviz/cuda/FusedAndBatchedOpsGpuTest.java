package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.featviz.device.FusedAndBatchedOpsCases;
import org.junit.jupiter.api.Tag;

/**
 * cudnnConvolutionBiasActivationForward and cublasSgemmStridedBatched on a GPU against the CPU reference; skipped
 * where there is none.
 */
@Tag("gpu")
class FusedAndBatchedOpsGpuTest extends FusedAndBatchedOpsCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
