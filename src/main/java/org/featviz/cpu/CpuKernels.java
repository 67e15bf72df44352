package org.featviz.cpu;

import java.util.HashMap;
import java.util.Map;
import org.featviz.ir.Node;
import org.featviz.ops.UnaryFunction;
import org.featviz.ops.UnsupportedOpException;

/**
 * The CPU kernel for each supported op type. Two sets: the reference kernels (plain Java, the
 * oracle of every other implementation) and the fast set, which is the reference but for the ops
 * that OpenBLAS speeds up ({@link ConvBlas}; the matrix products of {@link MatrixProduct}) where it
 * loaded, and MaxPool's common windows ({@link MaxPoolFast}). The fast set is used unless {@link
 * #useReference} chose the reference for this process ({@code --device cpu-ref}).
 */
public final class CpuKernels {
  private static final Map<String, CpuKernel> KERNELS = new HashMap<>();
  private static final Map<String, CpuKernel> FAST = new HashMap<>();
  private static volatile boolean reference;

  static {
    register(new IdentityRef(), "Identity", "Dropout");
    // -- spatial ops (convolution, pooling, normalization, padding) --
    register(new ConvRef(), "Conv");
    register(new ConvTransposeRef(), "ConvTranspose");
    register(new MaxPoolRef(), "MaxPool");
    register(new AveragePoolRef(), "AveragePool");
    register(new GlobalAveragePoolRef(), "GlobalAveragePool");
    register(new LrnRef(), "LRN");
    register(new BatchNormalizationRef(), "BatchNormalization");
    register(new LayerNormalizationRef(), "LayerNormalization");
    register(new PadRef(), "Pad");
    register(new InstanceNormalizationRef(), "InstanceNormalization");
    // -- elementwise, linear algebra and shape ops --
    register(new ReluRef(), "Relu");
    register(new LeakyReluRef(), "LeakyRelu");
    register(new SigmoidRef(), "Sigmoid");
    register(new TanhRef(), "Tanh");
    for (UnaryFunction f : UnaryFunction.values()) register(new UnaryRef(f), f.opType());
    register(new ClipRef(), "Clip");
    register(new SoftmaxRef(), "Softmax");
    register(new LogSoftmaxRef(), "LogSoftmax");
    register(new GemmRef(), "Gemm");
    register(new MatMulRef(), "MatMul");
    register(new ArithmeticRef(ArithmeticRef.Op.ADD), "Add");
    register(new ArithmeticRef(ArithmeticRef.Op.SUB), "Sub");
    register(new ArithmeticRef(ArithmeticRef.Op.MUL), "Mul");
    register(new ArithmeticRef(ArithmeticRef.Op.DIV), "Div");
    register(new ArithmeticRef(ArithmeticRef.Op.PRELU), "PRelu");
    register(new ExtremumRef(true), "Max");
    register(new ExtremumRef(false), "Min");
    register(new ReduceRef(), "ReduceSum", "ReduceMean", "ReduceMax");
    register(new ConcatRef(), "Concat");
    register(new ReshapeRef(), "Reshape", "Flatten", "Squeeze", "Unsqueeze");
    register(new SliceRef(), "Slice");
    register(new SplitRef(), "Split");
    register(new GatherRef(), "Gather");
    register(new TransposeRef(), "Transpose");
    register(new TileRef(), "Tile");
    register(new ResizeRef(), "Resize", "Upsample");
    register(new ExpandRef(), "Expand");
    register(new ConstantRef(), "Constant");
    if (Blas.available()) FAST.put("Conv", new ConvBlas());
    FAST.put("MaxPool", new MaxPoolFast());
  }

  private CpuKernels() {}

  static void register(CpuKernel kernel, String... opTypes) {
    for (String op : opTypes) KERNELS.put(op, kernel);
  }

  public static boolean has(String opType) {
    return KERNELS.containsKey(opType);
  }

  /**
   * Chooses the reference kernels (true) or the fast ones (false, the default) for every CPU
   * computation of this process from now on.
   */
  public static void useReference(boolean on) {
    reference = on;
  }

  /**
   * Whether the fast kernels run: not {@link #useReference chosen off}, and OpenBLAS loaded ({@link
   * Blas#unavailableReason()} says why not).
   */
  public static boolean fast() {
    return !reference && Blas.available();
  }

  /** The kernel of the set in use for {@code node}'s op. */
  public static CpuKernel forNode(Node node, int opset) {
    CpuKernel k = fast() ? FAST.get(node.opType()) : null;
    if (k == null) k = KERNELS.get(node.opType());
    if (k == null) throw new UnsupportedOpException(node, opset, "no CPU kernel");
    return k;
  }
}
