package org.featviz.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Every ConvTest case on the reference kernel ({@code --device cpu-ref}); ConvTest itself runs the
 * kernels in use, the OpenBLAS one where it loads.
 */
class ConvReferenceTest extends ConvTest {
  @BeforeEach
  void reference() {
    CpuKernels.useReference(true);
  }

  @AfterEach
  void fast() {
    CpuKernels.useReference(false);
  }
}
