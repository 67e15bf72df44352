package org.featviz.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.featviz.device.GemmDescriptor;
import org.junit.jupiter.api.Test;

/**
 * How {@link BatchedGemm} splits a broadcast batch into library calls (its results are checked
 * against the CPU in BatchedMatMulAndPoolKernelCases): unit dims dropped, compatible dims merged,
 * one strided-batched call where the written operand moves along the batch, the reduction fold for
 * the gradient of a weight shared by the batch, and a loop where nothing else applies.
 */
class BatchedGemmTest {
  private static final int M = 4;
  private static final int K = 5;
  private static final int N = 2;
  private static final GemmDescriptor FORWARD = new GemmDescriptor(false, false, M, N, K);
  private static final GemmDescriptor GRAD_A = new GemmDescriptor(false, true, M, K, N);
  private static final GemmDescriptor GRAD_B = new GemmDescriptor(true, false, K, N, M);

  private static long[] s(long... v) {
    return v;
  }

  @Test
  void aSharedBatchMergesIntoOneCall() {
    BatchedGemm g =
        new BatchedGemm(
            new int[] {2, 1, 3},
            s(3 * M * K, 0, M * K),
            s(3 * K * N, 0, K * N),
            s(3 * M * N, 0, M * N));
    assertArrayEquals(new int[] {6}, g.mergedDims());
    assertEquals(1, g.calls(FORWARD));
  }

  @Test
  void aWeightSharedByTheBatchIsOneCallForwardAndOneForItsGradient() {
    int[] dims = {3};
    long[] sa = s(M * K);
    long[] sb = s(0);
    long[] sy = s(M * N);
    assertEquals(1, new BatchedGemm(dims, sa, sb, sy).calls(FORWARD));
    assertEquals(1, new BatchedGemm(dims, sy, sb, sa).calls(GRAD_A));
    assertEquals(1, new BatchedGemm(dims, sa, sy, sb).calls(GRAD_B), "the batch stacked along K");
  }

  @Test
  void theGradientOfASharedLeftOperandLoopsWithBetaOne() {
    int[] dims = {3};
    long[] sa = s(0);
    long[] sb = s(K * N);
    long[] sy = s(M * N);
    assertEquals(1, new BatchedGemm(dims, sa, sb, sy).calls(FORWARD));
    assertEquals(3, new BatchedGemm(dims, sy, sb, sa).calls(GRAD_A));
  }

  @Test
  void operandsBroadcastAlongDifferentDimsBatchTheLargerDim() {
    int[] dims = {2, 3};
    long[] sa = s(M * K, 0);
    long[] sb = s(0, K * N);
    long[] sy = s(3 * M * N, M * N);
    BatchedGemm forward = new BatchedGemm(dims, sa, sb, sy);
    assertArrayEquals(dims, forward.mergedDims());
    assertEquals(2, forward.calls(FORWARD));
    assertEquals(3, new BatchedGemm(dims, sy, sb, sa).calls(GRAD_A), "dA moves along dim 0 only");
    assertEquals(2, new BatchedGemm(dims, sa, sy, sb).calls(GRAD_B), "dB moves along dim 1 only");
  }
}
