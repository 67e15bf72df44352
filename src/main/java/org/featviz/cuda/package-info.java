/**
 * The CUDA backend's binding to a real GPU: {@link org.featviz.cuda.CudaDevice} implements
 * {@link org.featviz.device.Device} over JCuda's driver API, launching the custom kernels from the PTX of
 * {@code cuda/*.cu} shipped in the jar (resources {@code ptx/}), and its library operations over JCublas2 and JCudnn
 * ({@code CudaLibraries}: handles created on first use, on the device's stream, descriptors and convolution
 * algorithms cached by shape, every status checked in one place). Thin and mechanical on purpose: it cannot be tested
 * without a GPU, so its tests carry the JUnit tag {@code gpu}; everything above it is tested on the emulator.
 */
package org.featviz.cuda;
