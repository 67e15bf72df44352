package org.featviz.device;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.featviz.backend.Backend;
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

  /**
   * Set to 1 on a host that must have a GPU: there a gpu-tagged test without one fails instead of
   * skipping.
   */
  public static final String REQUIRE_GPU_ENV = "FEATVIZ_REQUIRE_GPU";

  /** The first GPU; skips the calling test (an assumption) where there is no CUDA driver or GPU. */
  public static Device gpuOrSkip() {
    assumeGpu();
    return CudaDevice.open();
  }

  /**
   * Skips the calling test where there is no usable GPU, naming why; under {@code
   * FEATVIZ_REQUIRE_GPU=1} (a GPU host's run, bench/gpu-first-run.sh) fails it instead, since a GPU
   * test that did not run there is not a pass.
   */
  public static void assumeGpu() {
    if (CudaDevice.isAvailable()) return;
    String why = "no CUDA driver or GPU on this machine (" + CudaDevice.unavailableReason() + ")";
    if ("1".equals(System.getenv(REQUIRE_GPU_ENV)))
      fail(why + ", but " + REQUIRE_GPU_ENV + "=1 says there is one");
    assumeTrue(false, why);
  }

  /**
   * The backend a test class runs its cases on: {@link Backend#GPU} under {@link OnGpu}, {@link
   * Backend#EMULATED} under {@link OnEmulator}, found on the class, a superclass, or a class
   * enclosing it ({@link GpuTest} or {@link EmuTest}, whose {@code @Nested} classes are the case
   * classes). Exactly one of the two must be there: the {@code gpu} tag comes with {@link OnGpu}
   * alone, so a GPU run without it, or an emulator run with it, cannot be.
   */
  public static Backend backendOf(Class<?> testClass) {
    boolean gpu = false;
    boolean emulator = false;
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      gpu |= c.isAnnotationPresent(OnGpu.class);
      emulator |= c.isAnnotationPresent(OnEmulator.class);
    }
    if (gpu == emulator) {
      throw new IllegalStateException(
          testClass.getName()
              + (gpu
                  ? " is under both @OnGpu and @OnEmulator"
                  : " is under neither @OnGpu nor @OnEmulator")
              + ": say which device its cases run on");
    }
    return gpu ? Backend.GPU : Backend.EMULATED;
  }

  /** A fresh device of a backend: the emulator, or the first GPU ({@link #gpuOrSkip}). */
  public static Device open(Backend backend) {
    return switch (backend) {
      case EMULATED -> emulator();
      case GPU -> gpuOrSkip();
      default ->
          throw new IllegalArgumentException(
              "no test device for the " + backend.label() + " backend");
    };
  }

  /** Uniform random values in [lo, hi). */
  public static float[] uniform(Random rng, int n, float lo, float hi) {
    return OpTesting.random(Shape.of(n), rng, lo, hi).data();
  }

  /** The first {@code count} doubles of a device buffer (a kernel's float64 sums). */
  public static double[] copyToHostDoubles(Device device, DeviceBuffer b, int count) {
    int[] words = device.copyToHostInts(b, 2 * count);
    double[] d = new double[count];
    for (int i = 0; i < count; i++)
      d[i] =
          Double.longBitsToDouble((words[2 * i] & 0xffffffffL) | ((long) words[2 * i + 1] << 32));
    return d;
  }
}
