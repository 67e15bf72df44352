package org.featviz.device;

/**
 * A backend's implementation of the library operations of {@link Device} (cuDNN/cuBLAS semantics), called by
 * {@link AbstractDevice} after it has checked the arguments: buffers open, owned by the device and large enough for
 * the descriptor, counts positive. Every operation computes {@code out = alpha op(...) + beta out}; with beta = 0
 * the old contents of out are never read. Closed by the device, after its buffers are freed.
 */
public interface DeviceLibrary extends AutoCloseable {
  /** Chooses and caches what later convolutions of this geometry need (cuDNN algorithms, workspace). */
  void convolutionPrepare(ConvDescriptor d);

  void convolutionForward(ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha, float beta);

  void convolutionBackwardData(ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta);

  /** Offsets are in floats from each buffer's start. */
  void gemm(GemmDescriptor d, DeviceBuffer a, long aPos, DeviceBuffer b, long bPos, DeviceBuffer c, long cPos,
      float alpha, float beta);

  void poolingForward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  void poolingBackward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx,
      float alpha, float beta);

  void activationForward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  void activationBackward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
      DeviceBuffer dx, float alpha, float beta);

  void lrnForward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  void lrnBackward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta);

  void softmaxForward(SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta);

  void softmaxBackward(SoftmaxDescriptor d, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta);

  /** Releases handles and cached descriptors; idempotent. */
  @Override
  void close();
}
