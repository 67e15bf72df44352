package org.featviz.device;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of test classes that run one set of cases on each {@link Device}. An abstract {@code *Cases}
 * class holds the tests; it runs as a {@code @Nested} class of {@link EmuTest} ({@link OnEmulator}:
 * the host emulator, in CI) and of {@link GpuTest} ({@link OnGpu}: tagged {@code gpu}, skipped
 * without a GPU), or as a class of its own under one of those annotations where it adds tests. A
 * class may override {@link #openDevice} for another device (the binding fake, an emulator with a
 * memory limit).
 *
 * <p>One device serves every test of a class: opened before its first test, closed after its last,
 * so that a GPU run opens the context, the cuBLAS and cuDNN handles and the PTX modules once per
 * class rather than once per test. Between tests the device is synchronized (an asynchronous fault
 * is charged to the test that caused it) and put back in FP32; a device that failed that check is
 * closed (best effort, resetting the context after a sticky error) and the next test opens a fresh
 * one. A class whose tests close or break their device on purpose returns false from {@link
 * #shareDevice()} and gets a fresh device per test.
 */
public abstract class DeviceCases {
  /** The open shared device of each test class (classes run one after another). */
  private static final Map<Class<?>, Device> SHARED = new LinkedHashMap<>();

  protected Device device;

  /** A fresh device of this class's backend ({@link DeviceTesting#backendOf}). */
  protected Device openDevice() {
    return DeviceTesting.open(DeviceTesting.backendOf(getClass()));
  }

  /** The test's device's cuDNN and cuBLAS operations. */
  protected DeviceLibrary library() {
    return device.library();
  }

  /** Whether one device serves every test of the class (the default). */
  protected boolean shareDevice() {
    return true;
  }

  @BeforeEach
  void openTheDevice() {
    if (!shareDevice()) {
      device = openDevice();
      return;
    }
    synchronized (SHARED) {
      Device shared = SHARED.get(getClass());
      if (shared == null || (shared instanceof AbstractDevice a && a.isClosed())) {
        shared = openDevice();
        SHARED.put(getClass(), shared);
      }
      device = shared;
    }
  }

  @AfterEach
  void closeTheDevice() {
    if (device == null) return;
    if (!shareDevice()) {
      device.close();
      return;
    }
    try {
      device.synchronize();
      device.setMathMode(MathMode.FP32);
    } catch (RuntimeException e) {
      synchronized (SHARED) {
        SHARED.remove(getClass());
      }
      try {
        device.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  @AfterAll
  static void closeSharedDevices() {
    synchronized (SHARED) {
      for (Device d : SHARED.values()) d.close();
      SHARED.clear();
    }
  }
}
