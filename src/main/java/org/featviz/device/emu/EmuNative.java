package org.featviz.device.emu;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.featviz.device.DeviceException;

/**
 * The JNI entry points of libfeatviz-emu.so (cuda/emu/emu_jni.cpp) and the code that finds and
 * loads it. Addresses are host pointers as longs. Callers check ranges first: these calls trust
 * their arguments, except that the launch checks the argument tags against the kernel again before
 * it runs anything.
 */
final class EmuNative {
  /**
   * Where the Maven build puts the library on the class path (target/classes, or inside the jar).
   */
  static final String LIBRARY_RESOURCE = "/native/linux-x86_64/libfeatviz-emu.so";

  /**
   * A system property naming a library file to load instead, e.g. one built with AddressSanitizer.
   */
  static final String LIBRARY_PROPERTY = "featviz.emu.library";

  private static boolean loaded;

  private EmuNative() {}

  static synchronized void load() {
    if (loaded) return;
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new DeviceException(
          "the CUDA emulator is built for linux-x86_64 only, not " + os + "/" + arch);
    }
    String override = System.getProperty(LIBRARY_PROPERTY);
    Path library = override != null ? Path.of(override) : resourceFile(LIBRARY_RESOURCE);
    System.load(library.toAbsolutePath().toString());
    loaded = true;
  }

  /**
   * A class-path resource as a file: in place when it is one (target/classes during the build),
   * else copied to a temporary file deleted at exit (inside a jar).
   */
  static Path resourceFile(String resource) {
    URL url = EmuNative.class.getResource(resource);
    if (url == null) {
      throw new DeviceException(
          "no "
              + resource
              + " on the class path: build the emulator with mvn (it runs "
              + "cuda/build-emulator.sh) or set -D"
              + LIBRARY_PROPERTY);
    }
    try {
      if (url.getProtocol().equals("file")) return Path.of(url.toURI());
      String name = resource.substring(resource.lastIndexOf('/') + 1);
      Path copy = Files.createTempFile(name.replace(".so", "-"), ".so");
      copy.toFile().deleteOnExit();
      try (InputStream in = url.openStream()) {
        Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      }
      return copy;
    } catch (IOException | URISyntaxException e) {
      throw new DeviceException("cannot extract " + resource + ": " + e.getMessage(), e);
    }
  }

  /** A 256-byte aligned block, or 0 when memory ran out. */
  static native long alloc(long bytes);

  static native void free(long address);

  static native void copyFloatsToDevice(float[] src, int srcPos, long dst, int count);

  static native void copyIntsToDevice(int[] src, int srcPos, long dst, int count);

  static native void copyFloatsToHost(long src, float[] dst, int dstPos, int count);

  static native void copyIntsToHost(long src, int[] dst, int dstPos, int count);

  static native void memsetZero(long address, long bytes);

  static native void copy(long src, long dst, long bytes);

  static native String[] kernelNames();

  /**
   * The kernel's parameter tags (p ptr, i i32, f f32, l i64), or null when there is no such kernel.
   */
  static native String paramTags(String kernel);

  /** Adds the kernels of another kernel library (process-wide) and returns their names. */
  static native String[] loadKernelLibrary(String path);

  /**
   * Runs every block of the kernel before returning. dims: grid x, y, z, block x, y, z; values:
   * each argument's bits as {@link org.featviz.device.KernelArgs#bits} gives them.
   */
  static native void launch(
      String kernel, int[] dims, long sharedBytes, String tags, long[] values);
}
