package org.featviz.plan;

import org.featviz.device.Device;
import org.featviz.device.DeviceBuffer;
import org.featviz.device.GemmDescriptor;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ops.GemmSpec;

/**
 * Gemm: Y [M, N] = alpha op(A) op(B) through the device library's GEMM (in the plan's {@link
 * MixedPrecision}), then + beta C by the bias_add kernel (C broadcast from [N], [1, N], [M, 1], [M,
 * N] or a scalar: one value per (i / inner) % channels). Backward, each a GEMM with the operands
 * arranged so no transpose is materialized:
 *
 * <pre>
 *   dA' = alpha dY op(B)^T   (dA = dA'^T where A is stored transposed)
 *   dB' = alpha op(A)^T dY   (dB = dB'^T where B is stored transposed)
 *   dC  = beta dY summed over C's broadcast dimensions (arithmetic_backward)
 * </pre>
 */
final class GemmStep extends MatrixProductStep {
  private final GemmSpec.Params p;
  private final boolean hasC;
  private final int cChannels;
  private final int cInner;
  private final BroadcastGeometry cGeometry;

  GemmStep(
      Node node,
      DeviceValue a,
      DeviceValue b,
      DeviceValue c,
      DeviceValue y,
      GemmSpec.Params p,
      MixedPrecision mixed) {
    super(node, present(a, b, c), y, mixed);
    this.p = p;
    this.hasC = c != null;
    Shape out = Shape.of(p.m(), p.n());
    if (hasC) {
      int[] dims = c.shape().dims();
      int cn = dims.length >= 1 ? dims[dims.length - 1] : 1;
      int cm = dims.length >= 2 ? dims[dims.length - 2] : 1;
      cChannels = (cm > 1 ? p.m() : 1) * (cn > 1 ? p.n() : 1);
      cInner = cm > 1 && cn == 1 ? p.n() : 1;
      cGeometry = BroadcastGeometry.of(out, c.shape(), out);
    } else {
      cChannels = 0;
      cInner = 0;
      cGeometry = null;
    }
  }

  @Override
  String describe() {
    return "gemm M "
        + p.m()
        + ", N "
        + p.n()
        + ", K "
        + p.k()
        + (p.transA() ? ", A transposed" : "")
        + (p.transB() ? ", B transposed" : "")
        + (hasC ? ", + C" : "");
  }

  @Override
  void forward(Device device) {
    mixed.gemm(
        new GemmDescriptor(p.transA(), p.transB(), p.m(), p.n(), p.k()),
        inputBuffer(0),
        inputBuffer(1),
        outputBuffer(),
        p.alpha(),
        0f);
    if (hasC) {
      CustomKernels.biasAdd(
          device, outputBuffer(), inputBuffer(2), output().count(), cChannels, cInner, p.beta());
    }
  }

  @Override
  void backward(Device device) {
    DeviceBuffer dy = gradOut().buffer();
    DeviceBuffer a = inputBuffer(0);
    DeviceBuffer b = inputBuffer(1);
    int m = p.m();
    int n = p.n();
    int k = p.k();
    if (gradIn(0) != null) {
      DeviceBuffer da = gradIn(0).buffer();
      if (!p.transA()) {
        // dA [M, K] = alpha dY [M, N] op(B)^T: B stored [K, N] is used transposed, B stored [N, K]
        // as it is.
        mixed.gemm(new GemmDescriptor(false, !p.transB(), m, k, n), dy, b, da, p.alpha(), beta(0));
      } else {
        // dA stored [K, M] = alpha op(B) dY^T.
        mixed.gemm(new GemmDescriptor(p.transB(), true, k, m, n), b, dy, da, p.alpha(), beta(0));
      }
    }
    if (gradIn(1) != null) {
      DeviceBuffer db = gradIn(1).buffer();
      if (!p.transB()) {
        // dB [K, N] = alpha op(A)^T dY: A stored [M, K] is used transposed, A stored [K, M] as it
        // is.
        mixed.gemm(new GemmDescriptor(!p.transA(), false, k, n, m), a, dy, db, p.alpha(), beta(1));
      } else {
        // dB stored [N, K] = alpha dY^T op(A).
        mixed.gemm(new GemmDescriptor(true, p.transA(), n, k, m), dy, a, db, p.alpha(), beta(1));
      }
    }
    if (hasC && gradIn(2) != null) {
      CustomKernels.arithmeticBackward(
          device,
          CustomKernels.ArithmeticOp.ADD,
          1,
          dy,
          dy,
          dy,
          gradIn(2).buffer(),
          cGeometry,
          accumulate(2),
          p.beta());
    }
  }
}
