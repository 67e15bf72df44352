package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.featviz.device.MathMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * featviz's cuBLAS/cuDNN binding ({@link Cublas}, {@link Cudnn}, {@link CudnnConvolutions}) on the
 * binding fake, against the CPU reference on fresh random shapes ({@link BindingChecks}): GEMM in
 * every transpose with offsets, strided-batched GEMM with broadcast operands, convolutions forward,
 * backward data and fused with bias and ReLU (groups, strides, dilations, padding, 2-D and 3-D,
 * batch 1 and many), pooling in every mode (max pooling with NaN inputs too), activations, LRN,
 * softmax, and the 16-bit GEMMs and convolutions of the BF16 and FP16 modes. The seed is fixed so
 * that CI repeats; {@code -Dfeatviz.binding.seed=N} draws other shapes.
 */
class CudaBindingFakeTest {
  private static final long SEED = Long.getLong("featviz.binding.seed", 20261);
  private final FakeCudaDevice device = new FakeCudaDevice();
  private final Random rng = new Random(SEED);

  @AfterEach
  void close() {
    device.close();
  }

  @Test
  void gemmsOfRandomShapesMatchTheCpuReference() {
    BindingChecks.gemms(device, rng, 60);
    BindingChecks.stridedGemms(device, rng, 40);
    assertTrue(
        device.cublasFake.allOnTheDeviceStream(), "the cuBLAS handle runs on the device's stream");
  }

  @Test
  void convolutionsOfRandomGeometriesMatchTheCpuReference() {
    BindingChecks.convolutions(device, rng, 40);
    assertTrue(
        device.cudnnFake.allOnTheDeviceStream(), "the cuDNN handle runs on the device's stream");
  }

  @Test
  void poolingActivationsLrnAndSoftmaxOfRandomShapesMatchTheCpuReference() {
    BindingChecks.poolings(device, rng, 40);
    BindingChecks.nanMaxPoolings(device, rng, 20);
    BindingChecks.pointwise(device, rng, 25);
  }

  @Test
  void sixteenBitGemmsAndConvolutionsMatchTheCpuReference() {
    for (MathMode format : new MathMode[] {MathMode.BF16, MathMode.FP16}) {
      BindingChecks.gemms16(device, format, rng, 20);
      BindingChecks.convolutions16(device, format, rng, 15);
    }
  }

  @Test
  void closingTheDeviceDestroysEveryHandleAndDescriptor() {
    BindingChecks.convolutions(device, rng, 3);
    BindingChecks.poolings(device, rng, 3);
    BindingChecks.pointwise(device, rng, 2);
    BindingChecks.gemms(device, rng, 2);
    assertTrue(device.cudnnFake.liveDescriptors() > 0);
    device.close();
    assertEquals(0, device.cudnnFake.liveDescriptors(), "descriptors left after close");
    assertEquals(
        device.cublasFake.created, device.cublasFake.destroyed, "cuBLAS handles left after close");
  }
}
