/**
 * The CUDA backend's binding to a real GPU: {@link org.featviz.cuda.CudaDevice} implements {@link
 * org.featviz.device.Device} over JCuda's driver API, launching the custom kernels from the PTX of
 * {@code cuda/*.cu} shipped in the jar (resources {@code ptx/}), and its library operations over
 * JCublas2 and JCudnn ({@code CudaLibraries}: handles created on first use, on the device's stream,
 * descriptors and convolution algorithms cached by shape, every status checked in one place). Thin
 * and mechanical on purpose. Every cuBLAS and cuDNN call goes through {@code CublasApi} / {@code
 * CudnnApi} (one method per C function; {@code JCublasApi} and {@code JCudnnApi} forward to JCuda),
 * so CI runs {@code Cublas}, {@code Cudnn} and {@code CudnnConvolutions} against a fake of the
 * libraries' documented semantics (docs/binding-fake.md); what the libraries compute, and the
 * driver API part, need a GPU, so those tests carry the JUnit tag {@code gpu}. Everything above is
 * tested on the emulator.
 */
package org.featviz.cuda;
