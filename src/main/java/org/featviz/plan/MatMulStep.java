package org.featviz.plan;

import java.util.List;
import org.featviz.device.Device;
import org.featviz.device.GemmDescriptor;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ops.Broadcast;
import org.featviz.ops.MatMulSpec;

/**
 * MatMul with numpy batch broadcasting, Y[t] = A[a(t)] B[b(t)] over the broadcast batch t, through
 * strided-batched GEMMs ({@link BatchedGemm}: each operand's stride per batch dim from {@link
 * Broadcast#strides}, 0 where it is broadcast, so a shared batch or a broadcast weight is one
 * library call). Backward dA[a(t)] += dY[t] B[b(t)]^T and dB[b(t)] += A[a(t)]^T dY[t] the same way:
 * the gradient of a broadcast operand sums the products of the batch indices it is broadcast over
 * (one GEMM with the batch stacked along K where the layout allows, else GEMMs with beta 1 after
 * the first).
 *
 * <pre>
 * Shapes: A [a-batch..., M, K], B [b-batch..., K, N], Y [batch..., M, N]; batch = broadcast(a-batch, b-batch)
 * </pre>
 */
final class MatMulStep extends MatrixProductStep {
  private final MatMulSpec.Dims d;
  private final int batchCount;
  private final BatchedGemm forward;
  private final BatchedGemm gradA;
  private final BatchedGemm gradB;

  MatMulStep(
      Node node,
      DeviceValue a,
      DeviceValue b,
      DeviceValue y,
      MatMulSpec.Dims d,
      MixedPrecision mixed) {
    super(node, List.of(a, b), y, mixed);
    this.d = d;
    this.batchCount = d.batch().size();
    int[] dims = d.batch().dims();
    long[] sa = strides(d.aBatch(), d.batch(), (long) d.m() * d.k());
    long[] sb = strides(d.bBatch(), d.batch(), (long) d.k() * d.n());
    long[] sy = strides(d.batch(), d.batch(), (long) d.m() * d.n());
    forward = new BatchedGemm(dims, sa, sb, sy); // Y = A B
    gradA = new BatchedGemm(dims, sy, sb, sa); // dA = dY B^T
    gradB = new BatchedGemm(dims, sa, sy, sb); // dB = A^T dY
  }

  /**
   * Floats between consecutive matrices of an operand along each batch dim of {@code batch}; 0
   * where broadcast.
   */
  private static long[] strides(Shape own, Shape batch, long matrix) {
    int[] s = Broadcast.strides(own, batch);
    long[] r = new long[s.length];
    for (int i = 0; i < s.length; i++) r[i] = s[i] * matrix;
    return r;
  }

  @Override
  String describe() {
    return "matmul "
        + batchCount
        + " x ["
        + d.m()
        + ", "
        + d.k()
        + "] ["
        + d.k()
        + ", "
        + d.n()
        + "]";
  }

  @Override
  void forward(Device device) {
    if (output().count() == 0) return;
    if (d.k() == 0) {
      device.memsetZero(outputBuffer(), 0, (long) output().count() * Float.BYTES);
      return;
    }
    forward.run(
        mixed,
        new GemmDescriptor(false, false, d.m(), d.n(), d.k()),
        inputBuffer(0),
        inputBuffer(1),
        outputBuffer(),
        1f,
        false);
  }

  @Override
  void backward(Device device) {
    for (int wrt = 0; wrt < 2; wrt++) {
      DeviceValue grad = gradIn(wrt);
      if (grad == null || grad.count() == 0) continue;
      if (output().count() == 0 || d.k() == 0 || d.m() == 0 || d.n() == 0) {
        if (!accumulate(wrt))
          device.memsetZero(grad.buffer(), 0, (long) grad.count() * Float.BYTES);
        continue;
      }
      if (wrt == 0) {
        // dA [M, K] += dY [M, N] B^T
        gradA.run(
            mixed,
            new GemmDescriptor(false, true, d.m(), d.k(), d.n()),
            gradOut().buffer(),
            inputBuffer(1),
            grad.buffer(),
            1f,
            accumulate(0));
      } else {
        // dB [K, N] += A^T dY
        gradB.run(
            mixed,
            new GemmDescriptor(true, false, d.k(), d.n(), d.m()),
            inputBuffer(0),
            gradOut().buffer(),
            grad.buffer(),
            1f,
            accumulate(1));
      }
    }
  }
}
