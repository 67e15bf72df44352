package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.FusedAndBatchedOpsCases;

/**
 * The fused convolution + bias + ReLU and the strided-batched GEMM through featviz's real binding
 * on the binding fake: the cases GpuTest$FusedAndBatchedOps runs on a GPU, in CI.
 */
class FusedAndBatchedOpsFakeTest extends FusedAndBatchedOpsCases {
  @Override
  protected Device openDevice() {
    return new FakeCudaDevice();
  }
}
