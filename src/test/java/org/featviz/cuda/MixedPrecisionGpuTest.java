package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.DeviceTesting;
import org.featviz.device.MixedPrecisionCases;
import org.junit.jupiter.api.Tag;

/**
 * The BF16 and FP16 math modes on a GPU (conversion kernels, cudnnConvolutionForward/BackwardData on 16-bit
 * tensors with FP32 compute, cublasGemmEx and cublasGemmStridedBatchedEx with 16-bit A and B) against FP32 on the
 * same GPU, with the emulator's bounds; skipped where there is none. BF16 needs compute capability 8.0 or later.
 */
@Tag("gpu")
class MixedPrecisionGpuTest extends MixedPrecisionCases {
  @Override
  protected Device openDevice() {
    return DeviceTesting.gpuOrSkip();
  }
}
