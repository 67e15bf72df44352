/**
 * Lets JCuda's prebuilt JNI natives run on hosts with newer CUDA libraries than they were linked
 * against (docs/cuda-compat.md). {@link org.featviz.cuda.compat.ElfSymbols} reads a native's
 * imports in plain Java; {@link org.featviz.cuda.compat.ForwardingLibrary} generates a small
 * library that impersonates the old soname ({@code libcublas.so.12}, {@code libcudnn.so.8}) and
 * forwards every function to the new one ({@code .so.13}, {@code .so.9}); {@link
 * org.featviz.cuda.compat.ForwardingLibraryBuilder} compiles and caches it with the host C
 * compiler; {@link org.featviz.cuda.compat.CudaCompat#prepare()} puts it all in place before
 * JCublas2 and JCudnn load. Everything here is tested without a GPU.
 */
package org.featviz.cuda.compat;
