package org.featviz.cuda;

import java.util.List;
import org.featviz.cuda.compat.CompatStep;
import org.featviz.cuda.compat.CudaCompat;
import org.featviz.device.ActivationMode;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.DeviceException;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.GemmBatch;
import org.featviz.device.GemmDescriptor;
import org.featviz.device.LrnDescriptor;
import org.featviz.device.MathMode;
import org.featviz.device.PoolDescriptor;
import org.featviz.device.SoftmaxDescriptor;
import org.featviz.device.Teardown;

/**
 * The library operations of {@link CudaDevice}: GEMM through cuBLAS ({@link Cublas}), the rest through cuDNN
 * ({@link Cudnn}, {@link CudnnConvolutions}). Each handle is created on first use, after
 * {@link CudaCompat#prepare()} has made JCuda's CUDA 12 / cuDNN 8 natives loadable on the host; a native that still
 * cannot load becomes a DeviceException listing the compatibility steps that failed. In synchronous-launch mode
 * ({@link SyncLaunch}) each operation is followed by a wait for the stream that names it if it failed.
 */
final class CudaLibraries implements DeviceLibrary, AutoCloseable {
  private final CudaDevice device;
  private Cublas cublas;
  private Cudnn cudnn;
  private boolean closed;

  CudaLibraries(CudaDevice device) {
    this.device = device;
  }

  synchronized Cublas cublas() {
    checkOpen();
    if (cublas == null) cublas = load("cuBLAS (JCublas2)", () -> new Cublas(device));
    return cublas;
  }

  synchronized Cudnn cudnn() {
    checkOpen();
    if (cudnn == null) cudnn = load("cuDNN (JCudnn)", () -> new Cudnn(device));
    return cudnn;
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("CUDA libraries used after the device closed");
  }

  private static <T> T load(String what, java.util.function.Supplier<T> create) {
    List<CompatStep> steps = CudaCompat.prepare();
    try {
      return create.get();
    } catch (LinkageError e) {
      StringBuilder failed = new StringBuilder();
      for (CompatStep s : steps) if (s.failed()) failed.append("\n  ").append(s);
      throw new DeviceException("cannot load " + what + ": " + e.getMessage()
          + (failed.length() == 0 ? "" : "; compatibility steps that failed:" + failed), e);
    }
  }

  @Override
  public void convolutionPrepare(ConvDescriptor d) {
    cudnn().convolutions().prepare(d);
    device.afterStep("cuDNN convolutionPrepare(" + d + ")");
  }

  @Override
  public void convolutionForward(ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha,
      float beta) {
    cudnn().convolutions().forward(d, x, w, y, alpha, beta);
    device.afterStep("cuDNN convolutionForward(" + d + ")");
  }

  @Override
  public void convolutionBackwardData(ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta) {
    cudnn().convolutions().backwardData(d, w, dy, dx, alpha, beta);
    device.afterStep("cuDNN convolutionBackwardData(" + d + ")");
  }

  @Override
  public void convolutionBiasActivationForward(ConvDescriptor d, ActivationMode mode, DeviceBuffer x, DeviceBuffer w,
      DeviceBuffer bias, DeviceBuffer y, float alpha, float beta) {
    cudnn().convolutions().biasActivationForward(d, mode, x, w, bias, y, alpha, beta);
    device.afterStep("cuDNN convolutionBiasActivationForward(" + d + ")");
  }

  @Override
  public void gemm(GemmDescriptor d, DeviceBuffer a, long aPos, DeviceBuffer b, long bPos, DeviceBuffer c, long cPos,
      float alpha, float beta) {
    cublas().gemm(d, a, aPos, b, bPos, c, cPos, alpha, beta);
    device.afterStep("cuBLAS gemm(" + d + ")");
  }

  @Override
  public void gemmStridedBatched(GemmDescriptor d, GemmBatch batch, DeviceBuffer a, long aPos, DeviceBuffer b,
      long bPos, DeviceBuffer c, long cPos, float alpha, float beta) {
    cublas().gemmStridedBatched(d, batch, a, aPos, b, bPos, c, cPos, alpha, beta);
    device.afterStep("cuBLAS gemmStridedBatched(" + d + ")");
  }

  @Override
  public void convolutionForward16(MathMode format, ConvDescriptor d, DeviceBuffer x, long xByte, DeviceBuffer w,
      long wByte, DeviceBuffer y, long yByte) {
    cudnn().convolutions().forward16(format, d, x, xByte, w, wByte, y, yByte);
    device.afterStep("cuDNN convolutionForward16(" + d + ")");
  }

  @Override
  public void convolutionBackwardData16(MathMode format, ConvDescriptor d, DeviceBuffer w, long wByte,
      DeviceBuffer dy, long dyByte, DeviceBuffer dx, long dxByte) {
    cudnn().convolutions().backwardData16(format, d, w, wByte, dy, dyByte, dx, dxByte);
    device.afterStep("cuDNN convolutionBackwardData16(" + d + ")");
  }

  @Override
  public void gemm16(MathMode format, GemmDescriptor d, DeviceBuffer a, long aByte, DeviceBuffer b, long bByte,
      DeviceBuffer c, long cPos, float alpha, float beta) {
    cublas().gemm16(format, d, a, aByte, b, bByte, c, cPos, alpha, beta);
    device.afterStep("cuBLAS gemm16(" + d + ")");
  }

  @Override
  public void gemmStridedBatched16(MathMode format, GemmDescriptor d, GemmBatch batch, DeviceBuffer a, long aByte,
      DeviceBuffer b, long bByte, DeviceBuffer c, long cPos, float alpha, float beta) {
    cublas().gemmStridedBatched16(format, d, batch, a, aByte, b, bByte, c, cPos, alpha, beta);
    device.afterStep("cuBLAS gemmStridedBatched16(" + d + ")");
  }

  @Override
  public void poolingForward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    cudnn().poolingForward(d, x, y, alpha, beta);
    device.afterStep("cuDNN poolingForward(" + d + ")");
  }

  @Override
  public void poolingBackward(PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx,
      float alpha, float beta) {
    cudnn().poolingBackward(d, x, y, dy, dx, alpha, beta);
    device.afterStep("cuDNN poolingBackward(" + d + ")");
  }

  @Override
  public void activationForward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha,
      float beta) {
    cudnn().activationForward(mode, count, x, y, alpha, beta);
    device.afterStep("cuDNN activationForward(" + mode + ")");
  }

  @Override
  public void activationBackward(ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy,
      DeviceBuffer dx, float alpha, float beta) {
    cudnn().activationBackward(mode, count, x, y, dy, dx, alpha, beta);
    device.afterStep("cuDNN activationBackward(" + mode + ")");
  }

  @Override
  public void lrnForward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    cudnn().lrnForward(d, x, y, alpha, beta);
    device.afterStep("cuDNN lrnForward(" + d + ")");
  }

  @Override
  public void lrnBackward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx,
      float alpha, float beta) {
    cudnn().lrnBackward(d, x, y, dy, dx, alpha, beta);
    device.afterStep("cuDNN lrnBackward(" + d + ")");
  }

  @Override
  public void softmaxForward(SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    cudnn().softmaxForward(d, x, y, alpha, beta);
    device.afterStep("cuDNN softmaxForward(" + d + ")");
  }

  @Override
  public void softmaxBackward(SoftmaxDescriptor d, DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, float alpha,
      float beta) {
    cudnn().softmaxBackward(d, y, dy, dx, alpha, beta);
    device.afterStep("cuDNN softmaxBackward(" + d + ")");
  }

  /** Closes both handles, the second even when the first fails; throws one exception naming each failure. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    Teardown teardown = new Teardown("closing cuBLAS and cuDNN");
    if (cudnn != null) teardown.run("closing cuDNN (descriptors and handle)", cudnn::close);
    if (cublas != null) teardown.run("closing cuBLAS (handle)", cublas::close);
    teardown.finish();
  }
}
