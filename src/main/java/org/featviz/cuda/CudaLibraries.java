package org.featviz.cuda;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
 * The library operations of {@link CudaDevice}: GEMM through cuBLAS ({@link Cublas}), the rest
 * through cuDNN ({@link Cudnn}, {@link CudnnConvolutions}). Each handle is created on first use; on
 * a GPU ({@link #of}) after {@link CudaCompat#prepare()} has made JCuda's CUDA 12 / cuDNN 8 natives
 * loadable on the host, and a native that still cannot load becomes a DeviceException listing the
 * compatibility steps that failed. After each operation the device's {@code afterStep} runs with
 * the call's name: in synchronous-launch mode ({@link SyncLaunch}) it waits for the stream and
 * names the call if it failed. The tests' binding fake builds the same class on its fake APIs.
 */
final class CudaLibraries implements DeviceLibrary, AutoCloseable {
  private final Supplier<Cublas> openCublas;
  private final Supplier<Cudnn> openCudnn;
  private final Consumer<String> afterStep;
  private Cublas cublas;
  private Cudnn cudnn;
  private boolean closed;

  /**
   * @param openCublas, openCudnn create each handle, on first use
   * @param afterStep runs after each operation with its name ("cuDNN poolingForward(...)")
   */
  CudaLibraries(
      Supplier<Cublas> openCublas, Supplier<Cudnn> openCudnn, Consumer<String> afterStep) {
    this.openCublas = openCublas;
    this.openCudnn = openCudnn;
    this.afterStep = afterStep;
  }

  /**
   * JCublas2 and JCudnn on a GPU, loaded through {@link CudaCompat}, each step followed by the
   * device's check.
   */
  static CudaLibraries of(CudaDevice device) {
    return new CudaLibraries(
        () -> load("cuBLAS (JCublas2)", () -> new Cublas(device)),
        () -> load("cuDNN (JCudnn)", () -> new Cudnn(device)),
        device::afterStep);
  }

  synchronized Cublas cublas() {
    checkOpen();
    if (cublas == null) cublas = openCublas.get();
    return cublas;
  }

  synchronized Cudnn cudnn() {
    checkOpen();
    if (cudnn == null) cudnn = openCudnn.get();
    return cudnn;
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("CUDA libraries used after the device closed");
  }

  private static <T> T load(String what, Supplier<T> create) {
    List<CompatStep> steps = CudaCompat.prepare();
    try {
      return create.get();
    } catch (LinkageError e) {
      StringBuilder failed = new StringBuilder();
      for (CompatStep s : steps) if (s.failed()) failed.append("\n  ").append(s);
      throw new DeviceException(
          "cannot load "
              + what
              + ": "
              + e.getMessage()
              + (failed.length() == 0 ? "" : "; compatibility steps that failed:" + failed),
          e);
    }
  }

  /** Runs a cuBLAS operation, then {@code afterStep} with "cuBLAS call(what)". */
  private void cublas(String call, Object what, Consumer<Cublas> op) {
    op.accept(cublas());
    afterStep.accept("cuBLAS " + call + "(" + what + ")");
  }

  /** Runs a cuDNN operation, then {@code afterStep} with "cuDNN call(what)". */
  private void cudnn(String call, Object what, Consumer<Cudnn> op) {
    op.accept(cudnn());
    afterStep.accept("cuDNN " + call + "(" + what + ")");
  }

  @Override
  public void convolutionPrepare(ConvDescriptor d) {
    cudnn("convolutionPrepare", d, c -> c.convolutions().prepare(d));
  }

  @Override
  public void convolutionForward(
      ConvDescriptor d, DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, float alpha, float beta) {
    cudnn("convolutionForward", d, c -> c.convolutions().forward(d, x, w, y, alpha, beta));
  }

  @Override
  public void convolutionBackwardData(
      ConvDescriptor d, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, float alpha, float beta) {
    cudnn(
        "convolutionBackwardData",
        d,
        c -> c.convolutions().backwardData(d, w, dy, dx, alpha, beta));
  }

  @Override
  public void convolutionBiasActivationForward(
      ConvDescriptor d,
      ActivationMode mode,
      DeviceBuffer x,
      DeviceBuffer w,
      DeviceBuffer bias,
      DeviceBuffer y,
      float alpha,
      float beta) {
    cudnn(
        "convolutionBiasActivationForward",
        d,
        c -> c.convolutions().biasActivationForward(d, mode, x, w, bias, y, alpha, beta));
  }

  @Override
  public void gemm(
      GemmDescriptor d,
      DeviceBuffer a,
      long aPos,
      DeviceBuffer b,
      long bPos,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    cublas("gemm", d, l -> l.gemm(d, a, aPos, b, bPos, c, cPos, alpha, beta));
  }

  @Override
  public void gemmStridedBatched(
      GemmDescriptor d,
      GemmBatch batch,
      DeviceBuffer a,
      long aPos,
      DeviceBuffer b,
      long bPos,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    cublas(
        "gemmStridedBatched",
        d,
        l -> l.gemmStridedBatched(d, batch, a, aPos, b, bPos, c, cPos, alpha, beta));
  }

  @Override
  public void convolutionForward16(
      MathMode format,
      ConvDescriptor d,
      DeviceBuffer x,
      long xByte,
      DeviceBuffer w,
      long wByte,
      DeviceBuffer y,
      long yByte) {
    cudnn(
        "convolutionForward16",
        d,
        c -> c.convolutions().forward16(format, d, x, xByte, w, wByte, y, yByte));
  }

  @Override
  public void convolutionBackwardData16(
      MathMode format,
      ConvDescriptor d,
      DeviceBuffer w,
      long wByte,
      DeviceBuffer dy,
      long dyByte,
      DeviceBuffer dx,
      long dxByte) {
    cudnn(
        "convolutionBackwardData16",
        d,
        c -> c.convolutions().backwardData16(format, d, w, wByte, dy, dyByte, dx, dxByte));
  }

  @Override
  public void gemm16(
      MathMode format,
      GemmDescriptor d,
      DeviceBuffer a,
      long aByte,
      DeviceBuffer b,
      long bByte,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    cublas("gemm16", d, l -> l.gemm16(format, d, a, aByte, b, bByte, c, cPos, alpha, beta));
  }

  @Override
  public void gemmStridedBatched16(
      MathMode format,
      GemmDescriptor d,
      GemmBatch batch,
      DeviceBuffer a,
      long aByte,
      DeviceBuffer b,
      long bByte,
      DeviceBuffer c,
      long cPos,
      float alpha,
      float beta) {
    cublas(
        "gemmStridedBatched16",
        d,
        l -> l.gemmStridedBatched16(format, d, batch, a, aByte, b, bByte, c, cPos, alpha, beta));
  }

  @Override
  public void poolingForward(
      PoolDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    cudnn("poolingForward", d, c -> c.poolingForward(d, x, y, alpha, beta));
  }

  @Override
  public void poolingBackward(
      PoolDescriptor d,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    cudnn("poolingBackward", d, c -> c.poolingBackward(d, x, y, dy, dx, alpha, beta));
  }

  @Override
  public void activationForward(
      ActivationMode mode, int count, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    cudnn("activationForward", mode, c -> c.activationForward(mode, count, x, y, alpha, beta));
  }

  @Override
  public void activationBackward(
      ActivationMode mode,
      int count,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    cudnn(
        "activationBackward",
        mode,
        c -> c.activationBackward(mode, count, x, y, dy, dx, alpha, beta));
  }

  @Override
  public void lrnForward(LrnDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    cudnn("lrnForward", d, c -> c.lrnForward(d, x, y, alpha, beta));
  }

  @Override
  public void lrnBackward(
      LrnDescriptor d,
      DeviceBuffer x,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    cudnn("lrnBackward", d, c -> c.lrnBackward(d, x, y, dy, dx, alpha, beta));
  }

  @Override
  public void softmaxForward(
      SoftmaxDescriptor d, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    cudnn("softmaxForward", d, c -> c.softmaxForward(d, x, y, alpha, beta));
  }

  @Override
  public void softmaxBackward(
      SoftmaxDescriptor d,
      DeviceBuffer y,
      DeviceBuffer dy,
      DeviceBuffer dx,
      float alpha,
      float beta) {
    cudnn("softmaxBackward", d, c -> c.softmaxBackward(d, y, dy, dx, alpha, beta));
  }

  /**
   * Closes both handles, the second even when the first fails; throws one exception naming each
   * failure.
   */
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
