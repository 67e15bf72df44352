package org.featviz.cuda;

import org.featviz.device.Device;
import org.featviz.device.LibraryOpsCases;

/**
 * The library operations through featviz's real cuBLAS/cuDNN binding ({@link Cublas}, {@link Cudnn},
 * {@link CudnnConvolutions}) on the binding fake ({@link FakeCudaDevice}): the cases LibraryOpsGpuTest runs on a GPU,
 * in CI. What the emulator cannot show (operand order, leading dimensions, descriptors, alpha/beta) shows here.
 */
class LibraryOpsFakeTest extends LibraryOpsCases {
  @Override
  protected Device openDevice() {
    return new FakeCudaDevice();
  }
}
