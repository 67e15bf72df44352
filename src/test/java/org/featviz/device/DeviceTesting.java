package org.featviz.device;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.featviz.cpu.OpTesting;
import org.featviz.cuda.CudaDevice;
import org.featviz.device.emu.EmulatedDevice;
import org.featviz.ir.Shape;

/** Opens the devices that kernel tests run on, and makes their random inputs. */
public final class DeviceTesting {
  private DeviceTesting() {}

  public static Device emulator() {
    return new EmulatedDevice();
  }

  /** The first GPU; skips the calling test (an assumption) where there is no CUDA driver or GPU. */
  public static Device gpuOrSkip() {
    assumeTrue(CudaDevice.isAvailable(), "no CUDA driver or GPU on this machine");
    return CudaDevice.open();
  }

  /** Uniform random values in [lo, hi). */
  public static float[] uniform(Random rng, int n, float lo, float hi) {
    return OpTesting.random(Shape.of(n), rng, lo, hi).data();
  }
}
