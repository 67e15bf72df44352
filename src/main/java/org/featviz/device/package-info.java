/**
 * The device interface of the CUDA backend: memory, copies and kernel launches by name, small enough that it has
 * two implementations: {@link org.featviz.cuda.CudaDevice} on a real GPU through JCuda's driver API, and
 * {@link org.featviz.device.emu.EmulatedDevice}, which runs the same {@code cuda/*.cu} kernel sources on the CPU so
 * that every custom kernel is tested in CI, where there is no GPU. {@link org.featviz.device.AbstractDevice} holds
 * the checks both share (ranges, ownership, closed buffers, launch limits, argument types). Library operations with
 * cuDNN/cuBLAS semantics (convolution, GEMM, pooling, activations, LRN, softmax) are described by small records
 * ({@link org.featviz.device.ConvDescriptor}, ...) that hold cuDNN's restrictions, so the emulator (which computes
 * them with the CPU reference kernels) accepts exactly what a GPU can run. {@link org.featviz.device.MathMode} picks
 * their arithmetic; in BF16 and FP16, {@link org.featviz.device.MixedPrecision} stages 16-bit copies of the operands
 * of convolutions and GEMMs (the kernels of cuda/convert.cu, twins in {@link org.featviz.device.HalfFloats}).
 */
package org.featviz.device;
