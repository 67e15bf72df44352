/**
 * The device interface of the CUDA backend, small enough that it has two implementations: {@link
 * org.featviz.device.Device} is memory, copies, kernel launches by name, the stream to wait for, a
 * math mode and one accessor, {@link org.featviz.device.Device#library()}, for the operations with
 * cuDNN/cuBLAS semantics ({@link org.featviz.device.DeviceLibrary}: convolution, GEMM, pooling,
 * activations, LRN, softmax). {@link org.featviz.cuda.CudaDevice} runs on a real GPU through
 * JCuda's driver API, and {@link org.featviz.device.emu.EmulatedDevice} runs the same {@code
 * cuda/*.cu} kernel sources on the CPU so that every custom kernel is tested in CI, where there is
 * no GPU. {@link org.featviz.device.AbstractDevice} holds the checks both share (ranges, ownership,
 * closed buffers, launch limits, argument types, and the library's operands), so a backend
 * implements unchecked primitives and an unchecked library. The library operations are described by
 * small records ({@link org.featviz.device.ConvDescriptor} and {@link
 * org.featviz.device.PoolDescriptor} over one {@link org.featviz.device.SpatialAxes}, ...) that
 * hold cuDNN's restrictions, so the emulator (which computes them with the CPU reference kernels)
 * accepts exactly what a GPU can run. {@link org.featviz.device.MathMode} picks the arithmetic of
 * convolutions and GEMMs: FP32 or TF32 in the library itself; BF16 and FP16 are mixed precision,
 * which a plan decides and stages ({@code org.featviz.plan.MixedPrecision}) for the library's
 * 16-bit operations, with the conversion kernels of cuda/convert.cu (twins in {@link
 * org.featviz.device.HalfFloats}).
 */
package org.featviz.device;
