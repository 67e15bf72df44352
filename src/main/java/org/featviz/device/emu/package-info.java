/**
 * The host emulator of the CUDA device: {@link org.featviz.device.emu.EmulatedDevice} runs the
 * kernels of {@code cuda/*.cu}, compiled by g++ against {@code cuda/emu/cuda_emu.h} into {@code
 * libfeatviz-emu.so}, with every thread of a block a cooperative fiber, so barriers, shared memory,
 * warp shuffles and atomics keep their meaning. How it works and how to add a kernel:
 * docs/emulator.md.
 */
package org.featviz.device.emu;
