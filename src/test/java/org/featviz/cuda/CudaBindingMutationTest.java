package org.featviz.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import jcuda.jcublas.cublasOperation;
import jcuda.jcudnn.cudnnConvolutionMode;
import org.featviz.device.DeviceException;
import org.junit.jupiter.api.Test;

/**
 * The mutation check of the binding fake: the comparisons of {@link CudaBindingFakeTest} must fail
 * when the binding's library calls are deliberately wrong. Each mutant wraps the fake API and
 * alters one argument of one call the way a binding bug would (the row-major to column-major
 * operand swap undone, a leading dimension taken from the wrong extent, batch strides exchanged,
 * convolution instead of cross-correlation, dense strides reversed, alpha and beta exchanged, NaN
 * not propagated by max pooling); the same random comparison then has to fail, by a wrong number
 * (the usual case), a refused call (a status from the fake) or an access outside a buffer. The
 * unaltered binding passes the same comparisons, so a failure here means the tests would not notice
 * that bug.
 *
 * <p>Each comparison runs case by case (30 random GEMMs, 20 convolutions, each on a fresh fake) and
 * the outcomes are printed; for the operand swap and the leading dimension, some cases must be
 * caught by the comparison itself (a wrong result, the call being valid for that shape), not only
 * by cuBLAS refusing the arguments.
 *
 * <p>To see a mutant survive, weaken a check in {@link BindingChecks} (for instance loosen {@code
 * FP32_TOL} to 10): this test then fails with "mutant ... survived".
 */
class CudaBindingMutationTest {
  /** How one random case of a comparison ended under a mutant. */
  private enum Outcome {
    PASSED,
    WRONG_RESULT,
    REFUSED_CALL,
    OUT_OF_BOUNDS
  }

  /** One random case of a comparison, drawn from rng. */
  private interface Case {
    void run(FakeCudaDevice device, Random rng);
  }

  /**
   * A wrapper of an API interface that lets {@code change} rewrite the arguments of calls to one
   * method.
   */
  static <T> UnaryOperator<T> rewrite(Class<T> api, String method, Consumer<Object[]> change) {
    return target ->
        api.cast(
            Proxy.newProxyInstance(
                api.getClassLoader(),
                new Class<?>[] {api},
                (proxy, m, args) -> {
                  if (m.getName().equals(method)) change.accept(args);
                  try {
                    return m.invoke(target, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                }));
  }

  /** Exchanges two arguments of a call. */
  private static void swap(Object[] args, int i, int j) {
    Object t = args[i];
    args[i] = args[j];
    args[j] = t;
  }

  /**
   * Runs {@code cases} random cases of a comparison on fakes whose APIs are wrapped, one fresh
   * device per case, and counts how they ended; fails unless at least one case failed (the mutant
   * was caught).
   */
  private static Map<Outcome, Integer> outcomes(
      String mutant,
      UnaryOperator<CublasApi> cublas,
      UnaryOperator<CudnnApi> cudnn,
      Consumer<FakeCudaDevice> setup,
      Case comparison,
      int cases) {
    Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    for (int i = 0; i < cases; i++) {
      Outcome o;
      try (FakeCudaDevice device = new FakeCudaDevice(cublas, cudnn)) {
        setup.accept(device);
        comparison.run(device, new Random(1000 + i));
        o = Outcome.PASSED;
      } catch (AssertionError e) {
        o = Outcome.WRONG_RESULT;
      } catch (DeviceException e) {
        o = Outcome.REFUSED_CALL;
      } catch (FakeMemory.Fault e) {
        o = Outcome.OUT_OF_BOUNDS;
      }
      counts.merge(o, 1, Integer::sum);
    }
    System.out.println("mutant '" + mutant + "': " + counts);
    assertTrue(
        counts.getOrDefault(Outcome.PASSED, 0) < cases,
        "mutant '" + mutant + "' survived: every case passed with a deliberately wrong call");
    return counts;
  }

  private static Map<Outcome, Integer> cublasMutant(
      String name, String method, Consumer<Object[]> change, Case comparison) {
    return outcomes(
        name,
        rewrite(CublasApi.class, method, change),
        UnaryOperator.identity(),
        d -> {},
        comparison,
        30);
  }

  private static Map<Outcome, Integer> cudnnMutant(
      String name, String method, Consumer<Object[]> change, Case comparison) {
    return cudnnMutant(name, method, change, d -> {}, comparison);
  }

  private static Map<Outcome, Integer> cudnnMutant(
      String name,
      String method,
      Consumer<Object[]> change,
      Consumer<FakeCudaDevice> setup,
      Case comparison) {
    return outcomes(
        name,
        UnaryOperator.identity(),
        rewrite(CudnnApi.class, method, change),
        setup,
        comparison,
        20);
  }

  private static final Case GEMM = (d, rng) -> BindingChecks.gemms(d, rng, 1);
  private static final Case STRIDED = (d, rng) -> BindingChecks.stridedGemms(d, rng, 1);
  private static final Case CONV = (d, rng) -> BindingChecks.convolutions(d, rng, 1);
  private static final Case POOL = (d, rng) -> BindingChecks.poolings(d, rng, 1);

  /** The comparison itself (a wrong number, not only a call the fake refused) caught the mutant. */
  private static void assertWrongResultsSeen(String mutant, Map<Outcome, Integer> counts) {
    assertTrue(
        counts.getOrDefault(Outcome.WRONG_RESULT, 0) > 0,
        "mutant '" + mutant + "': no case gave a wrong result the comparison saw: " + counts);
  }

  @Test
  void theUnalteredBindingPassesTheSameComparisons() {
    UnaryOperator<CublasApi> cublas = rewrite(CublasApi.class, "none", a -> {});
    UnaryOperator<CudnnApi> cudnn = rewrite(CudnnApi.class, "none", a -> {});
    for (Case c : new Case[] {GEMM, STRIDED, CONV, POOL}) {
      for (int i = 0; i < 20; i++) {
        try (FakeCudaDevice d = new FakeCudaDevice(cublas, cudnn)) {
          c.run(d, new Random(1000 + i));
        }
      }
    }
  }

  /** A change of the GEMM arguments of a call (its argument 1). */
  private static Consumer<Object[]> gemm(UnaryOperator<CublasApi.Gemm> change) {
    return a -> a[1] = change.apply((CublasApi.Gemm) a[1]);
  }

  /** A change of the batch strides of a strided-batched call (its argument 2). */
  private static Consumer<Object[]> strides(UnaryOperator<CublasApi.Strides> change) {
    return a -> a[2] = change.apply((CublasApi.Strides) a[2]);
  }

  @Test
  void gemmMutantsAreCaught() {
    // Cublas passes featviz's B as cuBLAS's A. Undo the swap: featviz's A first, M and N back in
    // place, each operand with its own flag and ld, ldc the new m.
    Map<Outcome, Integer> noSwap =
        cublasMutant(
            "operands not swapped",
            "sgemm",
            gemm(
                g ->
                    new CublasApi.Gemm(
                        g.transb(),
                        g.transa(),
                        g.n(),
                        g.m(),
                        g.k(),
                        g.alpha(),
                        g.b(),
                        g.ldb(),
                        g.a(),
                        g.lda(),
                        g.beta(),
                        g.c(),
                        g.n())),
            GEMM);
    // The leading dimension of cuBLAS's A as op(A)'s column count instead of A's stored row count.
    Map<Outcome, Integer> lda =
        cublasMutant(
            "lda from the wrong extent",
            "sgemm",
            gemm(
                g ->
                    withTransposes(
                        g,
                        g.transa(),
                        g.transb(),
                        g.transa() == cublasOperation.CUBLAS_OP_N ? g.k() : g.m())),
            GEMM);
    // cuBLAS's B untransposed where it should be transposed (a lost flag), leading dimension kept.
    cublasMutant(
        "transpose flag of B dropped",
        "sgemm",
        gemm(g -> withTransposes(g, g.transa(), cublasOperation.CUBLAS_OP_N, g.lda())),
        GEMM);
    cublasMutant(
        "alpha and beta exchanged",
        "sgemm",
        gemm(
            g ->
                new CublasApi.Gemm(
                    g.transa(),
                    g.transb(),
                    g.m(),
                    g.n(),
                    g.k(),
                    g.beta(),
                    g.a(),
                    g.lda(),
                    g.b(),
                    g.ldb(),
                    g.alpha(),
                    g.c(),
                    g.ldc())),
        GEMM);
    cublasMutant(
        "A and B batch strides exchanged",
        "sgemmStridedBatched",
        strides(s -> new CublasApi.Strides(s.strideB(), s.strideA(), s.strideC(), s.batchCount())),
        STRIDED);
    cublasMutant(
        "C batch stride of one matrix too many",
        "sgemmStridedBatched",
        strides(
            s -> new CublasApi.Strides(s.strideA(), s.strideB(), s.strideC() + 1, s.batchCount())),
        STRIDED);
    assertWrongResultsSeen("operands not swapped", noSwap);
    assertWrongResultsSeen("lda from the wrong extent", lda);
  }

  /** g with other transpose flags and leading dimension of A. */
  private static CublasApi.Gemm withTransposes(CublasApi.Gemm g, int transa, int transb, int lda) {
    return new CublasApi.Gemm(
        transa, transb, g.m(), g.n(), g.k(), g.alpha(), g.a(), lda, g.b(), g.ldb(), g.beta(), g.c(),
        g.ldc());
  }

  @Test
  void cudnnMutantsAreCaught() {
    cudnnMutant(
        "convolution instead of cross-correlation",
        "setConvolutionNdDescriptor",
        a -> a[5] = cudnnConvolutionMode.CUDNN_CONVOLUTION,
        CONV);
    cudnnMutant(
        "strides and dilations exchanged", "setConvolutionNdDescriptor", a -> swap(a, 3, 4), CONV);
    cudnnMutant(
        "tensor strides reversed (W outermost)",
        "setTensorNdDescriptor",
        a -> {
          int[] s = ((int[]) a[4]).clone();
          int n = (int) a[2];
          for (int i = 0; i < n; i++) s[i] = ((int[]) a[4])[n - 1 - i];
          a[4] = s;
        },
        CONV);
    cudnnMutant(
        "convolution forward alpha and beta exchanged",
        "convolutionForward",
        a -> swap(a, 1, 10),
        CONV);
    cudnnMutant(
        "backward data given no workspace",
        "convolutionBackwardData",
        a -> {
          a[8] = null;
          a[9] = 0L;
        },
        d -> d.cudnnFake.workspace = (dir, algo, math, g) -> 64,
        CONV); // every algorithm needs workspace
    cudnnMutant(
        "pooling windows one wider",
        "setPoolingNdDescriptor",
        a -> {
          int[] w = ((int[]) a[4]).clone();
          w[0]++;
          a[4] = w;
        },
        POOL);
    cudnnMutant(
        "max pooling without NaN propagation",
        "setPoolingNdDescriptor",
        a -> a[2] = jcuda.jcudnn.cudnnNanPropagation.CUDNN_NOT_PROPAGATE_NAN,
        (d, rng) -> BindingChecks.nanMaxPoolings(d, rng, 1));
  }
}
