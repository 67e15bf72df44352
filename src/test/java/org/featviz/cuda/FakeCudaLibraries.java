package org.featviz.cuda;

import org.featviz.device.ActivationMode;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.GemmBatch;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.LrnDescriptor;
import org.featviz.device.MathMode;
import org.featviz.device.PoolDescriptor;
import org.featviz.device.SoftmaxDescriptor;

/**
 * The library operations of {@link FakeCudaDevice}: the same forwarding to {@link Cublas}, {@link Cudnn} and
 * {@link CudnnConvolutions} as CudaLibraries does on a GPU (which cannot be built without a CudaDevice).
 */
final class FakeCudaLibraries implements DeviceLibrary {
  private final FakeCudaDevice device;

  FakeCudaLibraries(FakeCudaDevice device) {
    this.device = device;
  }

  private CudnnConvolutions convolutions() {
    return device.cudnn().convolutions();
  }

  @Override
  public void convolutionPrepare(ConvDescriptor d) {
    convolutions().prepare(d);
  }

  @Override
  public void convolutionForward(ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha,
      float beta) {
    convolutions().forward(d, x, w, y, alpha, beta);
  }

  @Override
  public void convolutionBackwardData(ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta) {
    convolutions().backwardData(d, w, dy, dx, alpha, beta);
  }

  @Override
  public void convolutionBiasActivationForward(ConvDescriptor d, ActivationMode mode, DeviceBuffer x, DeviceBuffer w,
      DeviceBuffer bias, DeviceBuffer y, float alpha, float beta) {
    convolutions().biasActivationForward(d, mode, x, w, bias, y, alpha, beta);
  }

  @Override
  public void gemm(GemmDescriptor d, DeviceBuffer a, long aPos, DeviceBuffer b, long bPos, DeviceBuffer c, long cPos,
      float alpha, float beta) {
    device.cublas().gemm(d, a, aPos, b, bPos, c, cPos, alpha, beta);
  }

  @Override
  public void gemmStridedBatched(GemmDescriptor d, GemmBatch batch, DeviceBuffer a, long aPos, DeviceBuffer b,
      long bPos, DeviceBuffer c, long cPos, float alpha, float beta) {
    device.cublas().gemmStridedBatched(d, batch, a, aPos, b, bPos, c, cPos, alpha, beta);
  }

  @Override
  public void convolutionForward16(MathMode format, ConvDescriptor d, DeviceBuffer x, long xByte, DeviceBuffer w,
      long wByte, DeviceBuffer y, long yByte) {
    convolutions().forward16(format, d, x, xByte, w, wByte, y, yByte);
  }

  @Override
  public void convolutionBackwardData16(MathMode format, ConvDescriptor d, DeviceBuffer w, long wByte,
      DeviceBuffer dy, long dyByte, DeviceBuffer dx, long dxByte) {
    convolutions().backwardData16(format, d, w, wByte, dy, dyByte, dx, dxByte);
  }

  @Override
  public void gemm16(MathMode format, GemmDescriptor d, DeviceBuffer a, long aByte, DeviceBuffer b, long bByte,
      DeviceBuffer c, long cPos, float alpha, float beta) {
    device.cublas().gemm16(format, d, a, aByte, b, bByte, c, cPos, alpha, beta);
  }

  @Override
  public void gemmStridedBatched16(MathMode format, GemmDescriptor d, GemmBatch batch, DeviceBuffer a, long aByte,
      DeviceBuffer b, long bByte, DeviceBuffer c, long cPos, float alpha, float beta) {
    device.cublas().gemmStridedBatched16(format, d, batch, a, aByte, b, bByte, c, cPos, alpha, beta);
  }

  @Override
  public void poolingForward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    device.cudnn().poolingForward(d, x, y, alpha, beta);
  }

  @Override
  public void poolingBackward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx,
      float alpha, float beta) {
    device.cudnn().poolingBackward(d, x, y, dy, dx, alpha, beta);
  }

  @Override
  public void activationForward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha,
      float beta) {
    device.cudnn().activationForward(mode, count, x, y, alpha, beta);
  }

  @Override
  public void activationBackward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
      DeviceBuffer dx, float alpha, float beta) {
    device.cudnn().activationBackward(mode, count, x, y, dy, dx, alpha, beta);
  }

  @Override
  public void lrnForward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    device.cudnn().lrnForward(d, x, y, alpha, beta);
  }

  @Override
  public void lrnBackward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx,
      float alpha, float beta) {
    device.cudnn().lrnBackward(d, x, y, dy, dx, alpha, beta);
  }

  @Override
  public void softmaxForward(SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    device.cudnn().softmaxForward(d, x, y, alpha, beta);
  }

  @Override
  public void softmaxBackward(SoftmaxDescriptor d, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta) {
    device.cudnn().softmaxBackward(d, y, dy, dx, alpha, beta);
  }

}
