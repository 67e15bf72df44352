package org.featviz.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Native float buffers for the operands of {@link Blas#sgemm}, one set per thread and reused from
 * call to call (growing as needed), so that a product costs one bulk copy of each operand and no
 * allocation. OpenBLAS reads native memory only; passing Java arrays instead makes JNI copy each
 * whole array on every call, which measured about half as fast (bench/README.md, GemmBench).
 */
final class NativeScratch {
  private static final ThreadLocal<NativeScratch> PER_THREAD =
      ThreadLocal.withInitial(NativeScratch::new);

  private final FloatPointer[] buffers = new FloatPointer[3];
  private final FloatBuffer[] views = new FloatBuffer[3];
  private final float[][] arrays = {new float[0], new float[0]};

  private NativeScratch() {}

  /** This thread's scratch. */
  static NativeScratch get() {
    return PER_THREAD.get();
  }

  /**
   * Buffer {@code slot} (0, 1 or 2) of this thread, holding at least {@code floats} floats; its
   * contents are undefined.
   */
  FloatPointer buffer(int slot, long floats) {
    FloatPointer p = buffers[slot];
    if (p == null || p.capacity() < floats) {
      if (p != null) p.close();
      p = new FloatPointer(Math.max(floats, p == null ? 0 : 2 * p.capacity()));
      buffers[slot] = p;
      views[slot] = p.position(0).asBuffer();
    }
    return p.position(0);
  }

  /**
   * Buffer {@code slot} as a direct FloatBuffer over the same memory (its absolute bulk get and put
   * copy without JNI), after {@link #buffer} sized it.
   */
  FloatBuffer view(int slot) {
    return views[slot];
  }

  /**
   * Java array {@code slot} (0 or 1) of this thread, at least {@code floats} long, contents
   * undefined.
   */
  float[] array(int slot, int floats) {
    if (arrays[slot].length < floats) arrays[slot] = new float[floats];
    return arrays[slot];
  }
}
