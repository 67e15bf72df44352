package org.featviz.cuda;

import jcuda.Pointer;

/**
 * What {@link JCublasApi} and {@link JCudnnApi} share: the device whose context, stream and memory
 * their calls use, and the arguments in the form JCuda takes them (device pointers, host scalars).
 */
abstract class JCudaBinding {
  final CudaDevice device;

  JCudaBinding(CudaDevice device) {
    this.device = device;
  }

  /**
   * Makes the device's context current on the calling thread ({@link CublasApi#bind}, {@link
   * CudnnApi#bind}).
   */
  public final void bind() {
    device.bind();
  }

  /** The device address, or a null pointer for none (no workspace). */
  final Pointer ptr(DevicePtr p) {
    return p == null ? new Pointer() : device.pointer(p.buffer(), p.byteOffset());
  }

  /** A host scalar (alpha, beta), which cuBLAS and cuDNN read through a pointer. */
  static Pointer host(float value) {
    return Pointer.to(new float[] {value});
  }
}
