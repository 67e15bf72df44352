package org.featviz.device;

import static org.featviz.Literals.ints;
import static org.featviz.cpu.OpTesting.assertClose;
import static org.featviz.cpu.OpTesting.random;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.featviz.cuda.CpuOracle;
import org.featviz.ir.Attributes;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The fused and batched library operations of {@link Device} on fresh random inputs: the
 * convolution with bias and ReLU in one call ({@code convolutionBiasActivationForward}) against the
 * CPU reference Conv (with its bias) and Relu, and the blend relu(alpha conv + beta y + b); the
 * strided-batched GEMM ({@code gemmStridedBatched}) against a plain loop per product in every
 * transpose combination, with offsets, broadcast operands (stride 0), padded strides and beta 1;
 * and the argument checks both share with the GPU. On a GPU (GpuTest$FusedAndBatchedOps) this
 * checks cudnnConvolutionBiasActivationForward and cublasSgemmStridedBatched.
 */
public abstract class FusedAndBatchedOpsCases extends DeviceCases {
  private final Random rng = new Random(29);

  private static final Node RELU =
      new Node("relu_ref", "Relu", List.of("x"), List.of("y"), Attributes.empty());

  @Test
  void convolutionBiasReluMatchesTheCpuConvAndRelu() {
    ConvDescriptor[] cases = {
      new ConvDescriptor(2, 3, ints(7, 6), 4, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1),
      new ConvDescriptor(1, 4, ints(9, 8), 6, ints(3, 2), ints(2, 0), ints(2, 1), ints(2, 1), 2),
      new ConvDescriptor(
          2, 2, ints(4, 5, 5), 3, ints(2, 3, 3), ints(0, 1, 1), ints(1, 2, 1), ints(1, 1, 2), 1)
    };
    for (ConvDescriptor d : cases) {
      Tensor x = random(Shape.of(d.inputDims()), rng, -1f, 1f);
      Tensor w = random(Shape.of(d.weightDims()), rng, -0.5f, 0.5f);
      Tensor b = random(Shape.of(d.k()), rng, -0.5f, 0.5f);
      Tensor expected = CpuOracle.forward(RELU, CpuOracle.forward(CpuOracle.conv(d, 3), x, w, b));
      int cut = 0;
      for (float v : expected.data()) if (v == 0f) cut++;
      assertTrue(
          cut > 0 && cut < expected.size(), "the ReLU must cut some outputs and keep others");
      Tensor conv = CpuOracle.forward(CpuOracle.conv(d, 2), x, w);
      float[] prior = random(conv.shape(), rng, -1f, 1f).data();
      float[] blended = new float[prior.length];
      int plane = conv.size() / (d.n() * d.k());
      for (int i = 0; i < blended.length; i++) {
        blended[i] =
            Math.max(0f, 0.5f * conv.data()[i] + 0.75f * prior[i] + b.data()[(i / plane) % d.k()]);
      }
      try (DeviceBuffer dx = device.toDevice(x.data());
          DeviceBuffer dw = device.toDevice(w.data());
          DeviceBuffer db = device.toDevice(b.data());
          DeviceBuffer dy = device.allocateFloats(expected.size())) {
        library().convolutionPrepare(d);
        library().convolutionBiasActivationForward(d, ActivationMode.RELU, dx, dw, db, dy, 1f, 0f);
        assertClose(
            expected.data(),
            device.copyToHostFloats(dy, expected.size()),
            1e-4,
            1e-5,
            "relu(conv + b) " + d);
        device.copyToDevice(prior, dy);
        library()
            .convolutionBiasActivationForward(d, ActivationMode.RELU, dx, dw, db, dy, 0.5f, 0.75f);
        assertClose(
            blended,
            device.copyToHostFloats(dy, expected.size()),
            1e-4,
            1e-5,
            "relu(0.5 conv + 0.75 y + b) " + d);
      }
    }
  }

  @Test
  void convolutionBiasActivationRefusesOtherActivationsAndShortBuffers() {
    ConvDescriptor d =
        new ConvDescriptor(1, 2, ints(5, 5), 3, ints(3, 3), ints(1, 1), ints(1, 1), ints(1, 1), 1);
    try (DeviceBuffer x = device.allocateFloats(d.inputCount());
        DeviceBuffer w = device.allocateFloats(d.weightCount());
        DeviceBuffer b = device.allocateFloats(d.k());
        DeviceBuffer shortBias = device.allocateFloats(d.k() - 1);
        DeviceBuffer y = device.allocateFloats(d.outputCount())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  library()
                      .convolutionBiasActivationForward(
                          d, ActivationMode.SIGMOID, x, w, b, y, 1f, 0f));
      assertTrue(e.getMessage().contains("SIGMOID"), e.getMessage());
      IndexOutOfBoundsException o =
          assertThrows(
              IndexOutOfBoundsException.class,
              () ->
                  library()
                      .convolutionBiasActivationForward(
                          d, ActivationMode.RELU, x, w, shortBias, y, 1f, 0f));
      assertTrue(o.getMessage().contains("bias"), o.getMessage());
    }
  }

  /**
   * C_i = alpha op(A_i) op(B_i) + beta C_i per product by a triple loop in double, on row-major
   * matrices.
   */
  private static float[] naiveBatched(
      GemmDescriptor d,
      GemmBatch batch,
      float[] a,
      int aPos,
      float[] b,
      int bPos,
      float[] c,
      int cPos,
      float alpha,
      float beta) {
    float[] r = c.clone();
    for (int t = 0; t < batch.count(); t++) {
      long ao = aPos + t * batch.aStride();
      long bo = bPos + t * batch.bStride();
      long co = cPos + t * batch.cStride();
      for (int i = 0; i < d.m(); i++) {
        for (int j = 0; j < d.n(); j++) {
          double s = 0;
          for (int p = 0; p < d.k(); p++) {
            float av = d.transA() ? a[(int) ao + p * d.m() + i] : a[(int) ao + i * d.k() + p];
            float bv = d.transB() ? b[(int) bo + j * d.k() + p] : b[(int) bo + p * d.n() + j];
            s += (double) av * bv;
          }
          int at = (int) co + i * d.n() + j;
          r[at] = (float) (alpha * s + beta * c[at]);
        }
      }
    }
    return r;
  }

  @Test
  void stridedBatchedGemmMatchesALoopOfProducts() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        GemmDescriptor d = new GemmDescriptor(ta, tb, 5, 4, 3);
        // Each operand batched, broadcast (stride 0) or batched with a gap; C with a gap between
        // its matrices.
        GemmBatch[] batches = {
          new GemmBatch(6, d.aCount(), d.bCount(), d.cCount()),
          new GemmBatch(6, 0, d.bCount(), d.cCount()),
          new GemmBatch(6, d.aCount() + 2, 0, d.cCount() + 3),
          new GemmBatch(1, 0, 0, 0)
        };
        for (GemmBatch batch : batches) {
          int aPos = 3;
          int bPos = 1;
          int cPos = 2;
          int aLen = (int) (aPos + GemmBatch.span(batch.count(), batch.aStride(), d.aCount()));
          int bLen = (int) (bPos + GemmBatch.span(batch.count(), batch.bStride(), d.bCount()));
          int cLen = (int) (cPos + GemmBatch.span(batch.count(), batch.cStride(), d.cCount()) + 1);
          float[] a = random(Shape.of(aLen), rng, -1f, 1f).data();
          float[] b = random(Shape.of(bLen), rng, -1f, 1f).data();
          float[] c = random(Shape.of(cLen), rng, -1f, 1f).data();
          String what = "strided gemm transA " + ta + " transB " + tb + " " + batch;
          try (DeviceBuffer da = device.toDevice(a);
              DeviceBuffer db = device.toDevice(b);
              DeviceBuffer dc = device.toDevice(c)) {
            library().gemmStridedBatched(d, batch, da, aPos, db, bPos, dc, cPos, 0.75f, 1f);
            assertClose(
                naiveBatched(d, batch, a, aPos, b, bPos, c, cPos, 0.75f, 1f),
                device.copyToHostFloats(dc, cLen),
                1e-5,
                1e-6,
                what + ", beta 1 (the gaps in C untouched)");
            device.copyToDevice(c, dc);
            library().gemmStridedBatched(d, batch, da, aPos, db, bPos, dc, cPos, 1f, 0f);
            assertClose(
                naiveBatched(d, batch, a, aPos, b, bPos, c, cPos, 1f, 0f),
                device.copyToHostFloats(dc, cLen),
                1e-5,
                1e-6,
                what + ", beta 0");
          }
        }
      }
    }
  }

  @Test
  void stridedBatchedGemmRefusesOverlappingOutputsAndShortBuffers() {
    GemmDescriptor d = new GemmDescriptor(false, false, 2, 3, 4);
    try (DeviceBuffer a = device.allocateFloats(4 * d.aCount());
        DeviceBuffer b = device.allocateFloats(d.bCount());
        DeviceBuffer c = device.allocateFloats(4 * d.cCount())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  library()
                      .gemmStridedBatched(
                          d,
                          new GemmBatch(4, d.aCount(), 0, d.cCount() - 1),
                          a,
                          0,
                          b,
                          0,
                          c,
                          0,
                          1f,
                          0f));
      assertTrue(e.getMessage().contains("stride"), e.getMessage());
      IndexOutOfBoundsException o =
          assertThrows(
              IndexOutOfBoundsException.class,
              () ->
                  library()
                      .gemmStridedBatched(
                          d,
                          new GemmBatch(4, d.aCount(), d.bCount(), d.cCount()),
                          a,
                          0,
                          b,
                          0,
                          c,
                          0,
                          1f,
                          0f));
      assertTrue(o.getMessage().contains("B"), o.getMessage());
      assertThrows(IllegalArgumentException.class, () -> new GemmBatch(0, 0, 0, 0));
      assertThrows(IllegalArgumentException.class, () -> new GemmBatch(2, -1, 0, 6));
    }
  }
}
