/**
 * The device interface of the CUDA backend: memory, copies and kernel launches by name, small enough that it has
 * two implementations: {@link org.featviz.cuda.CudaDevice} on a real GPU through JCuda's driver API, and
 * {@link org.featviz.device.emu.EmulatedDevice}, which runs the same {@code cuda/*.cu} kernel sources on the CPU so
 * that every custom kernel is tested in CI, where there is no GPU. {@link org.featviz.device.AbstractDevice} holds
 * the checks both share (ranges, ownership, closed buffers, launch limits, argument types).
 */
package org.featviz.device;
