/**
 * The kernel benchmark suite ({@code featviz bench kernels}, {@link
 * org.featviz.bench.kernels.KernelSuite}): every registered custom kernel of {@code cuda/*.cu},
 * launched through its own Java launcher on fresh random inputs, checked against its CPU twin, and
 * only then timed. Benchmarks implement {@link org.featviz.bench.kernels.KernelBenchmark} and are
 * listed in {@link org.featviz.bench.kernels.KernelBenchmarks}. Emulator timings time the host
 * emulator, not a GPU.
 */
package org.featviz.bench.kernels;
