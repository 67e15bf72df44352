package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.featviz.device.Device;
import org.featviz.device.LibraryOpsCases;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The library operations through featviz's real cuBLAS/cuDNN binding ({@link Cublas}, {@link
 * Cudnn}, {@link CudnnConvolutions}) on the binding fake ({@link FakeCudaDevice}): the cases
 * GpuTest$LibraryOps runs on a GPU, in CI. What the emulator cannot show (operand order, leading
 * dimensions, descriptors, alpha/beta) shows here. The fake GPU rounds TF32 operands to nearest
 * unless a test says otherwise; two tests check the TF32 bounds against the other hardware
 * behaviours: truncating tensor cores pass, a GPU where TF32 never engages fails.
 */
class LibraryOpsFakeTest extends LibraryOpsCases {
  @Override
  protected Device openDevice() {
    return new FakeCudaDevice();
  }

  private void tf32Operands(FakeTf32 behaviour) {
    FakeCudaDevice fake = (FakeCudaDevice) device;
    fake.cublasFake.tf32 = behaviour;
    fake.cudnnFake.tf32 = behaviour;
  }

  @Test
  void theTf32BoundsHoldWhereTensorCoresTruncateTheOperands() {
    tf32Operands(FakeTf32.TRUNCATE);
    checkTf32AgainstFp32();
  }

  @Test
  void aGpuWhereTf32NeverEngagesFailsTheTf32Test() {
    tf32Operands(FakeTf32.NONE);
    AssertionFailedError e = assertThrows(AssertionFailedError.class, this::checkTf32AgainstFp32);
    assertTrue(e.getMessage().contains("TF32 never engaged"), e.getMessage());
  }
}
