package org.featviz.cuda;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.featviz.cuda.compat.CompatStep;
import org.featviz.cuda.compat.CudaCompat;
import org.featviz.device.ActivationDescriptor;
import org.featviz.device.ConvDescriptor;
import org.featviz.device.ConvolutionCall;
import org.featviz.device.DeviceException;
import org.featviz.device.DeviceLibrary;
import org.featviz.device.GemmCall;
import org.featviz.device.Teardown;
import org.featviz.device.UnaryCall;

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
  public void run(ConvolutionCall call) {
    cudnn(call.method(), call.d(), c -> c.convolutions().run(call));
  }

  @Override
  public void run(GemmCall call) {
    cublas(call.method(), call.d(), l -> l.gemm(call));
  }

  /** Named by the descriptor, an activation by its mode. */
  @Override
  public void run(UnaryCall call) {
    Object what = call.op() instanceof ActivationDescriptor a ? a.mode() : call.op();
    cudnn(call.method(), what, c -> c.run(call));
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
