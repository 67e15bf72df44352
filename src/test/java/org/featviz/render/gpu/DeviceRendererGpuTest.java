package org.featviz.render.gpu;

import org.featviz.cuda.CudaDevice;
import org.featviz.device.Device;
import org.featviz.device.OnGpu;

/**
 * The device render loop on a GPU against the CPU renderer; skipped where there is none. cuDNN runs
 * its deterministic algorithms here, so that the same batch twice gives the same bits; across batch
 * sizes results agree to float rounding only (see {@link DeviceRendererCases#sameBitsInAnyBatch}).
 */
@OnGpu
class DeviceRendererGpuTest extends DeviceRendererCases {
  @Override
  protected Device openDevice() {
    Device gpu = super.openDevice();
    ((CudaDevice) gpu).setDeterministicAlgorithms(true);
    return gpu;
  }

  @Override
  protected boolean sameBitsInAnyBatch() {
    return false;
  }
}
