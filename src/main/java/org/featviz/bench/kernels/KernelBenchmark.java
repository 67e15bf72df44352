package org.featviz.bench.kernels;

import java.util.Random;
import org.featviz.device.Device;

/**
 * One entry of the kernel benchmark suite ({@link KernelSuite}): a custom kernel of {@code
 * cuda/*.cu}, launched through its Java launcher, with a CPU twin to check it against. {@link
 * #prepare} uploads fresh random inputs of the given size; the suite then calls {@link
 * Prepared#check} once and, only if it passed, {@link Prepared#launch} for warm-up and timing.
 *
 * <p>To add a benchmark: implement this interface (see {@link RenderKernelBenchmarks} for the
 * pattern) and list it in {@link KernelBenchmarks#all()}.
 */
public interface KernelBenchmark {
  /**
   * A short unique name, e.g. {@code adam_ascend}: the row's name in kernels.md and kernels.json.
   */
  String name();

  /**
   * The kernel(s) of {@code cuda/*.cu} it launches and the file, e.g. {@code adam_ascend
   * (adam.cu)}.
   */
  String kernels();

  /** Uploads fresh random inputs at {@code size}; the caller closes the result. */
  Prepared prepare(Device device, BenchSize size, Random rng);

  /** The benchmark's inputs on the device, ready to check and to time. */
  interface Prepared extends AutoCloseable {
    /** The geometry in words, e.g. {@code [256, 512, 14, 14] (GoogLeNet inception4a)}. */
    String shape();

    /** The bytes one launch must move to and from device memory at the least (reads + writes). */
    long bytes();

    /** The floating-point operations one launch does (as counted in its class comment). */
    long flops();

    /**
     * Runs the device kernel on the inputs and its CPU twin on the same inputs, and returns the
     * largest error of the device's outputs relative to the scale of the CPU's (max |device - cpu|
     * / max |cpu|), or NaN where any device output is not finite while the CPU's is. Called once,
     * before any timing; it may leave the device buffers in any state {@link #launch} accepts.
     */
    double check();

    /** The largest {@link #check} error that passes. */
    double tolerance();

    /** One launch of the device kernel(s) as timed (issued on the device's stream; no sync). */
    void launch();

    @Override
    void close();
  }
}
