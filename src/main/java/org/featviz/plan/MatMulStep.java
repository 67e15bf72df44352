package org.featviz.plan;

import java.util.ArrayList;
import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.GemmDescriptor;
import org.featviz.ir.Node;
import org.featviz.ops.Broadcast;
import org.featviz.ops.MatMulSpec;

/**
 * MatMul with numpy batch broadcasting: one device GEMM per element t of the broadcast batch, Y[t] = A[a(t)] B[b(t)]
 * on slices of the buffers (a(t), b(t) from the same {@link Broadcast#sourceIndices} as the CPU reference). Backward
 * dA[a(t)] += dY[t] B[b(t)]^T and dB[b(t)] += A[a(t)]^T dY[t]; the first product into each slice overwrites it (or
 * adds, where the step's gradient accumulates), later ones add. (A strided-batched GEMM would do the unbroadcast
 * cases in one call; later work.)
 */
final class MatMulStep extends Step {
  private final MatMulSpec.Dims d;
  private final int[] aBatch;
  private final int[] bBatch;

  MatMulStep(Node node, DeviceValue a, DeviceValue b, DeviceValue y, MatMulSpec.Dims d) {
    super(node, List.of(a, b), y);
    this.d = d;
    this.aBatch = Broadcast.sourceIndices(d.aBatch(), d.batch());
    this.bBatch = Broadcast.sourceIndices(d.bBatch(), d.batch());
  }

  @Override
  String describe() {
    return "matmul " + aBatch.length + " x [" + d.m() + ", " + d.k() + "] [" + d.k() + ", " + d.n() + "]";
  }

  @Override
  void forward(Device device) {
    if (output().count() == 0) return;
    if (d.k() == 0) {
      device.memsetZero(output().buffer(), 0, (long) output().count() * Float.BYTES);
      return;
    }
    GemmDescriptor g = new GemmDescriptor(false, false, d.m(), d.n(), d.k());
    long mk = (long) d.m() * d.k();
    long kn = (long) d.k() * d.n();
    long mn = (long) d.m() * d.n();
    for (int t = 0; t < aBatch.length; t++) {
      device.gemm(g, input(0).buffer(), aBatch[t] * mk, input(1).buffer(), bBatch[t] * kn, output().buffer(), t * mn,
          1f, 0f);
    }
  }

  @Override
  boolean differentiable(int input) {
    return true;
  }

  @Override
  List<DeviceValue> savedForBackward() {
    List<DeviceValue> saved = new ArrayList<>();
    if (gradIn(0) != null) saved.add(input(1));
    if (gradIn(1) != null) saved.add(input(0));
    return saved;
  }

  @Override
  void backward(Device device) {
    for (int wrt = 0; wrt < 2; wrt++) {
      DeviceValue grad = gradIn(wrt);
      if (grad == null || grad.count() == 0) continue;
      if (output().count() == 0 || d.k() == 0 || d.m() == 0 || d.n() == 0) {
        if (!accumulate(wrt)) device.memsetZero(grad.buffer(), 0, (long) grad.count() * Float.BYTES);
        continue;
      }
      backwardOf(device, wrt);
    }
  }

  private void backwardOf(Device device, int wrt) {
    DeviceBuffer dy = gradOut().buffer();
    long mk = (long) d.m() * d.k();
    long kn = (long) d.k() * d.n();
    long mn = (long) d.m() * d.n();
    int[] slices = wrt == 0 ? aBatch : bBatch;
    boolean[] written = new boolean[slices.length == 0 ? 0 : max(slices) + 1];
    for (int t = 0; t < slices.length; t++) {
      float beta = accumulate(wrt) || written[slices[t]] ? 1f : 0f;
      written[slices[t]] = true;
      if (wrt == 0) {
        // dA[a(t)] [M, K] += dY[t] [M, N] B[b(t)]^T
        device.gemm(new GemmDescriptor(false, true, d.m(), d.k(), d.n()), dy, t * mn, input(1).buffer(),
            bBatch[t] * kn, gradIn(0).buffer(), aBatch[t] * mk, 1f, beta);
      } else {
        // dB[b(t)] [K, N] += A[a(t)]^T dY[t]
        device.gemm(new GemmDescriptor(true, false, d.k(), d.n(), d.m()), input(0).buffer(), aBatch[t] * mk, dy,
            t * mn, gradIn(1).buffer(), bBatch[t] * kn, 1f, beta);
      }
    }
  }

  private static int max(int[] v) {
    int m = 0;
    for (int x : v) m = Math.max(m, x);
    return m;
  }
}
