package org.featviz.ops;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.featviz.ir.Node;

/** The ops featviz supports, by ONNX op type. */
public final class Ops {
  private static final Map<String, OpSpec> SPECS = new TreeMap<>();

  static {
    // Ops that only pass their input through; passes remove them before planning.
    register(PassThroughSpec.INSTANCE, "Identity", "Dropout");
    // -- spatial ops (convolution, pooling, normalization, padding) --
    register(ConvSpec.INSTANCE, "Conv");
    register(ConvTransposeSpec.INSTANCE, "ConvTranspose");
    register(PoolSpec.INSTANCE, "MaxPool", "AveragePool");
    register(GlobalPoolSpec.INSTANCE, "GlobalAveragePool");
    register(LrnSpec.INSTANCE, "LRN");
    register(BatchNormalizationSpec.INSTANCE, "BatchNormalization");
    register(LayerNormalizationSpec.INSTANCE, "LayerNormalization");
    register(PadSpec.INSTANCE, "Pad");
    register(InstanceNormalizationSpec.INSTANCE, "InstanceNormalization");
    // -- elementwise, linear algebra and shape ops --
    register(SameShapeSpec.INSTANCE, "Relu", "LeakyRelu", "Sigmoid", "Tanh");
    register(UnarySpec.INSTANCE, UnaryFunction.opTypes());
    register(ClipSpec.INSTANCE, "Clip");
    register(SoftmaxSpec.INSTANCE, "Softmax");
    register(SoftmaxSpec.INSTANCE, "LogSoftmax");
    register(GemmSpec.INSTANCE, "Gemm");
    register(MatMulSpec.INSTANCE, "MatMul");
    register(BroadcastSpec.INSTANCE, "Add", "Sub", "Mul", "Div");
    register(VariadicBroadcastSpec.INSTANCE, "Max", "Min");
    register(PReluSpec.INSTANCE, "PRelu");
    register(ReduceSpec.INSTANCE, "ReduceSum", "ReduceMean", "ReduceMax");
    register(ConcatSpec.INSTANCE, "Concat");
    register(FlattenSpec.INSTANCE, "Flatten");
    register(ReshapeSpec.INSTANCE, "Reshape");
    register(SqueezeSpec.INSTANCE, "Squeeze", "Unsqueeze");
    register(SliceSpec.INSTANCE, "Slice");
    register(SplitSpec.INSTANCE, "Split");
    register(GatherSpec.INSTANCE, "Gather");
    register(TransposeSpec.INSTANCE, "Transpose");
    register(TileSpec.INSTANCE, "Tile");
    register(ResizeSpec.INSTANCE, "Resize", "Upsample");
    register(ExpandSpec.INSTANCE, "Expand");
    register(ConstantSpec.INSTANCE, "Constant");
  }

  private Ops() {}

  static void register(OpSpec spec, String... opTypes) {
    for (String op : opTypes) SPECS.put(op, spec);
  }

  public static boolean isSupported(String opType) {
    return SPECS.containsKey(opType);
  }

  public static Set<String> supported() {
    return SPECS.keySet();
  }

  /**
   * The index of the first input of {@code node} that holds an int64 tensor ({@code isInt64} says
   * which values do) where its op reads float32 data, which is every input but the shape-like ones
   * of {@link OpSpec#constantInputs} (Reshape's shape, Pad's pads and axes); -1 where there is
   * none, or the op is not supported.
   */
  public static int int64DataInput(Node node, Predicate<String> isInt64) {
    OpSpec s = SPECS.get(node.opType());
    if (s == null) return -1;
    int[] shapeLike = s.constantInputs();
    for (int i = 0; i < node.inputs().size(); i++) {
      String name = node.input(i);
      if (name.isEmpty() || !isInt64.test(name)) continue;
      boolean allowed = false;
      for (int k : shapeLike) allowed |= k == i;
      if (!allowed) return i;
    }
    return -1;
  }

  /**
   * The spec for a node's op; throws {@link UnsupportedOpException} naming the node, op and opset.
   */
  public static OpSpec spec(Node node, int opset) {
    OpSpec s = SPECS.get(node.opType());
    if (s == null) throw new UnsupportedOpException(node, opset, "");
    return s;
  }
}
