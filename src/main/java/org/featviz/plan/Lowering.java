package org.featviz.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.device.ActivationDescriptor;
import org.featviz.device.ActivationMode;
import org.featviz.device.LrnDescriptor;
import org.featviz.device.SoftmaxDescriptor;
import org.featviz.ir.DType;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.ValueInfo;
import org.featviz.ops.BatchNormalizationSpec;
import org.featviz.ops.Broadcast;
import org.featviz.ops.ClipSpec;
import org.featviz.ops.ConcatSpec;
import org.featviz.ops.ConstantSpec;
import org.featviz.ops.GatherSpec;
import org.featviz.ops.GemmSpec;
import org.featviz.ops.LayerNormalizationSpec;
import org.featviz.ops.LrnSpec;
import org.featviz.ops.MatMulSpec;
import org.featviz.ops.OpContext;
import org.featviz.ops.PadSpec;
import org.featviz.ops.ReduceSpec;
import org.featviz.ops.ResizeSpec;
import org.featviz.ops.SliceSpec;
import org.featviz.ops.SoftmaxSpec;
import org.featviz.ops.SplitSpec;
import org.featviz.ops.TileSpec;
import org.featviz.ops.TransposeSpec;
import org.featviz.ops.UnaryFunction;
import org.featviz.ops.UnarySpec;
import org.featviz.ops.UnsupportedOpException;
import org.featviz.plan.CustomKernels.ArithmeticOp;
import org.featviz.plan.CustomKernels.LayerNormStatistic;
import org.featviz.plan.CustomKernels.PadMode;
import org.featviz.plan.CustomKernels.ReduceOp;

/**
 * Lowers the nodes that a plan's targets need, in graph order, to {@link Step}s over {@link
 * DeviceValue}s: one method per op, reading attributes through the op's {@link
 * org.featviz.ops.OpSpec} helpers so that shapes and semantics are those of the CPU reference.
 * Reshape, Flatten, Squeeze, Unsqueeze, Identity and Dropout become aliases (the output is the
 * input's storage seen with another shape; no step). What cuDNN cannot express is rewritten where
 * an exact rewrite exists (asymmetric or ceil-mode padding as an explicit Pad step) and refused
 * otherwise, with an {@link UnsupportedOpException} naming the node and op. A Conv whose only
 * reader is a Relu, and whose output is no target, becomes one fused step with that Relu ({@link
 * ReluFusion}).
 */
final class Lowering {
  private final Graph graph;
  private final Map<String, DeviceValue> values = new LinkedHashMap<>();
  private final Map<DeviceValue, Tensor> weights = new LinkedHashMap<>();
  private final List<DeviceValue> inputs = new ArrayList<>();
  private final List<Step> steps = new ArrayList<>();
  private final SpatialLowering spatial = new SpatialLowering(this);
  private final ReluFusion fusion;
  private final MixedPrecision mixed;
  // The values that a lowered node or a target reads (optional outputs nobody reads get no step).
  private final Set<String> read = new HashSet<>();

  private Lowering(Graph graph, ReluFusion fusion, MixedPrecision mixed) {
    this.graph = graph;
    this.fusion = fusion;
    this.mixed = mixed;
  }

  Graph graph() {
    return graph;
  }

  /** The plan's convolutions and GEMMs in the device's math mode, for the steps that have them. */
  MixedPrecision mixed() {
    return mixed;
  }

  /** The lowered steps and values. */
  record Result(
      List<Step> steps,
      Map<String, DeviceValue> values,
      List<DeviceValue> inputs,
      Map<DeviceValue, Tensor> weights) {}

  /**
   * Lowers what {@code targets} need; the steps' convolutions and GEMMs go through {@code mixed},
   * the plan's.
   */
  static Result lower(Graph graph, Collection<String> targets, MixedPrecision mixed) {
    if (graph.shapes().isEmpty()) {
      throw new ModelException(
          graph.source()
              + ": the graph has no shapes; run passes.Prepare (or ShapeInference)"
              + " before lowering it to a device plan");
    }
    List<Node> nodes = graph.nodesFeeding(targets);
    Lowering l = new Lowering(graph, ReluFusion.find(nodes, targets), mixed);
    l.read.addAll(targets);
    for (Node node : nodes) l.read.addAll(node.inputs());
    for (Node node : nodes) l.lowerNode(node);
    for (String t : targets) l.valueOrNull(t); // a target may be a graph input: give it a value
    return new Result(l.steps, l.values, l.inputs, l.weights);
  }

  // ---- Values
  // -----------------------------------------------------------------------------------------------------

  /**
   * The device value of a graph value: computed earlier, a graph input, or an initializer (uploaded
   * once).
   */
  private DeviceValue valueOrNull(String name) {
    DeviceValue v = values.get(name);
    if (v != null || name.isEmpty()) return v;
    Tensor init = graph.initializers().get(name);
    if (init != null) {
      if (init.dtype() != DType.FLOAT)
        return null; // int64 shape-like constants are never device data
      v = new DeviceValue(name, init.shape(), DeviceValue.Kind.WEIGHT, new Storage(true));
      weights.put(v, init);
    } else if (isGraphInput(name)) {
      v = new DeviceValue(name, graph.shape(name), DeviceValue.Kind.INPUT, new Storage(false));
      inputs.add(v);
    } else {
      return null;
    }
    values.put(name, v);
    return v;
  }

  private boolean isGraphInput(String name) {
    for (ValueInfo in : graph.inputs()) if (in.name().equals(name)) return true;
    return false;
  }

  /** Input i of a node as device data; a clear error where it is missing or not float data. */
  DeviceValue in(Node node, int i) {
    String name = node.input(i);
    DeviceValue v = valueOrNull(name);
    if (v == null) {
      Tensor init = graph.initializers().get(name);
      String why =
          init != null ? "is an " + init.dtype() + " constant, not float data" : "has no value";
      throw new UnsupportedOpException(
          node,
          graph.opset(),
          "the device plan cannot lower it: input " + i + " ('" + name + "') " + why);
    }
    return v;
  }

  DeviceValue optionalIn(Node node, int i) {
    return node.hasInput(i) ? in(node, i) : null;
  }

  /** A new activation for the node's output i, with the shape inference gave it. */
  DeviceValue out(Node node, int i) {
    String name = node.outputs().get(i);
    DeviceValue v =
        new DeviceValue(name, graph.shape(name), DeviceValue.Kind.ACTIVATION, new Storage(false));
    values.put(name, v);
    return v;
  }

  /** An intermediate activation a lowering adds, named after the node's output. */
  DeviceValue intermediate(Node node, String suffix, Shape shape) {
    return new DeviceValue(
        node.output() + "#" + suffix, shape, DeviceValue.Kind.ACTIVATION, new Storage(false));
  }

  /**
   * A gradient that a step's backward uses internally ({@link Step#backwardScratch()}), named after
   * the node.
   */
  DeviceValue scratch(Node node, String suffix, Shape shape) {
    return new DeviceValue(
        node.output() + "#" + suffix, shape, DeviceValue.Kind.GRADIENT, new Storage(false));
  }

  /** The Relu that Conv node {@code conv} is fused with ({@link ReluFusion}), or null. */
  Node reluAfter(Node conv) {
    return fusion.reluAfter(conv);
  }

  /** A weight computed on the host when the plan is built, of the given shape. */
  DeviceValue hostWeight(Node node, String suffix, Shape shape, float[] data) {
    Tensor t = Tensor.of(shape, data);
    DeviceValue v =
        new DeviceValue(
            node.output() + "#" + suffix, t.shape(), DeviceValue.Kind.WEIGHT, new Storage(true));
    weights.put(v, t);
    return v;
  }

  /** A 1-D weight computed on the host when the plan is built. */
  DeviceValue hostWeight(Node node, String suffix, float[] data) {
    Tensor t = Tensor.of(Shape.of(data.length), data);
    DeviceValue v =
        new DeviceValue(
            node.output() + "#" + suffix, t.shape(), DeviceValue.Kind.WEIGHT, new Storage(true));
    weights.put(v, t);
    return v;
  }

  OpContext context(Node node) {
    List<Shape> shapes = new ArrayList<>();
    List<Tensor> constants = new ArrayList<>();
    for (String name : node.inputs()) {
      shapes.add(name.isEmpty() ? null : graph.shapes().get(name));
      constants.add(name.isEmpty() ? null : graph.initializers().get(name));
    }
    return new OpContext(node, shapes, constants, graph.opset());
  }

  UnsupportedOpException unsupported(Node node, String why) {
    return new UnsupportedOpException(
        node, graph.opset(), "the device plan cannot lower it: " + why);
  }

  private void requireRank(Node node, Shape shape, int max) {
    if (shape.rank() > max)
      throw unsupported(node, "shape " + shape + " has more than " + max + " dimensions");
  }

  // ---- Ops
  // ----------------------------------------------------------------------------------------------------

  /**
   * Lowers one node; a geometry the device library refuses (a descriptor's check) becomes an
   * unsupported error.
   */
  private void lowerNode(Node node) {
    if (fusion.absorbed(node)) return; // a Relu computed by the fused step of the Conv before it
    try {
      lowerOp(node);
    } catch (IllegalArgumentException e) {
      throw unsupported(node, e.getMessage());
    }
  }

  private void lowerOp(Node node) {
    switch (node.opType()) {
      case "Conv" -> spatial.conv(node);
      case "ConvTranspose" -> spatial.convTranspose(node);
      case "MaxPool", "AveragePool" -> spatial.pool(node);
      case "GlobalAveragePool" -> spatial.globalAveragePool(node);
      case "Relu" -> activation(node, ActivationMode.RELU);
      case "Sigmoid" -> activation(node, ActivationMode.SIGMOID);
      case "Tanh" -> activation(node, ActivationMode.TANH);
      case "LeakyRelu" ->
          add(
              new LeakyReluStep(
                  node, in(node, 0), out(node, 0), node.attributes().getFloat("alpha", 0.01f)));
      case "Clip" -> clip(node);
      case "Softmax" -> softmax(node);
      case "LogSoftmax" -> logSoftmax(node);
      case "LRN" -> lrn(node);
      case "BatchNormalization" -> batchNorm(node);
      case "LayerNormalization" -> layerNorm(node);
      case "Gemm" -> gemm(node);
      case "MatMul" ->
          add(
              new MatMulStep(
                  node,
                  in(node, 0),
                  in(node, 1),
                  out(node, 0),
                  MatMulSpec.dims(context(node)),
                  mixed));
      case "Add" -> arithmetic(node, ArithmeticOp.ADD);
      case "Sub" -> arithmetic(node, ArithmeticOp.SUB);
      case "Mul" -> arithmetic(node, ArithmeticOp.MUL);
      case "Div" -> arithmetic(node, ArithmeticOp.DIV);
      case "PRelu" -> arithmetic(node, ArithmeticOp.PRELU);
      case "Concat" -> concat(node);
      case "Pad" -> pad(node);
      case "Slice" -> slice(node);
      case "Split" -> split(node);
      case "Gather" -> gather(node);
      case "Max" -> extremum(node, ArithmeticOp.MAX);
      case "Min" -> extremum(node, ArithmeticOp.MIN);
      case "ReduceSum", "ReduceMean", "ReduceMax" -> reduce(node);
      case "Transpose" -> transpose(node);
      case "Tile" -> tile(node);
      case "InstanceNormalization" -> instanceNorm(node);
      case "Resize", "Upsample" -> resize(node);
      case "Expand" -> expand(node);
      case "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout" -> alias(node);
      case "Constant" -> constant(node);
      default -> unaryOrRefuse(node);
    }
  }

  /** A {@link UnaryFunction} op by the unary kernels; any other op is refused. */
  private void unaryOrRefuse(Node node) {
    if (UnaryFunction.of(node.opType()) == null)
      throw unsupported(node, "no device lowering for op " + node.opType());
    OpContext ctx = context(node);
    float[] pq = UnarySpec.parameters(ctx);
    add(new UnaryStep(node, in(node, 0), out(node, 0), UnarySpec.function(ctx), pq[0], pq[1]));
  }

  private void gemm(Node node) {
    GemmSpec.Params p = GemmSpec.params(context(node));
    if (p.m() == 0 || p.n() == 0 || p.k() == 0)
      throw unsupported(node, "an empty matrix product " + p);
    add(new GemmStep(node, in(node, 0), in(node, 1), optionalIn(node, 2), out(node, 0), p, mixed));
  }

  void add(Step step) {
    steps.add(step);
  }

  /** The output is the input's storage seen with the output's shape: no step, no copy. */
  private void alias(Node node) {
    for (int i = 1; i < node.outputs().size(); i++) {
      if (!node.outputs().get(i).isEmpty())
        throw unsupported(node, "output " + i + " (only the data output is)");
    }
    DeviceValue x = in(node, 0);
    String name = node.output();
    values.put(name, new DeviceValue(name, graph.shape(name), x.kind(), x.storage()));
  }

  private void constant(Node node) {
    Tensor value = ConstantSpec.value(context(node));
    float[] data = value.dtype() == DType.FLOAT ? value.data() : toFloats(value.longs());
    DeviceValue v =
        new DeviceValue(node.output(), value.shape(), DeviceValue.Kind.WEIGHT, new Storage(true));
    weights.put(v, Tensor.of(value.shape(), data));
    values.put(node.output(), v);
  }

  private static float[] toFloats(long[] l) {
    float[] f = new float[l.length];
    for (int i = 0; i < l.length; i++) f[i] = l[i];
    return f;
  }

  private void activation(Node node, ActivationMode mode) {
    DeviceValue y = out(node, 0);
    add(new UnaryLibraryStep(node, in(node, 0), y, new ActivationDescriptor(mode, y.count())));
  }

  private void arithmetic(Node node, ArithmeticOp op) {
    DeviceValue a = in(node, 0);
    DeviceValue b = in(node, 1);
    DeviceValue y = out(node, 0);
    requireRank(node, y.shape(), CustomKernels.MAX_RANK);
    add(new ArithmeticStep(node, a, b, y, op));
  }

  /**
   * Bounds from inputs 1 and 2 (opset 11+, constants or graph inputs) or the attributes; absent:
   * the float range.
   */
  private void clip(Node node) {
    DeviceValue min;
    DeviceValue max;
    if (graph.opset() >= 11) {
      min =
          node.hasInput(1)
              ? scalarIn(node, 1)
              : hostWeight(node, "min", new float[] {-Float.MAX_VALUE});
      max =
          node.hasInput(2)
              ? scalarIn(node, 2)
              : hostWeight(node, "max", new float[] {Float.MAX_VALUE});
    } else {
      ClipSpec.Bounds b = ClipSpec.bounds(context(node));
      min = hostWeight(node, "min", new float[] {b.min()});
      max = hostWeight(node, "max", new float[] {b.max()});
    }
    add(new ClipStep(node, in(node, 0), min, max, out(node, 0)));
  }

  /** Input i, which must hold one float (a scalar bound or fill value). */
  private DeviceValue scalarIn(Node node, int i) {
    DeviceValue v = in(node, i);
    if (v.count() != 1)
      throw unsupported(
          node, "input " + i + " ('" + v.name() + "') must hold one value, not " + v.shape());
    return v;
  }

  private void logSoftmax(Node node) {
    SoftmaxSpec.Layout g = SoftmaxSpec.layout(context(node));
    add(new LogSoftmaxStep(node, in(node, 0), out(node, 0), g));
  }

  private void softmax(Node node) {
    SoftmaxSpec.Layout g = SoftmaxSpec.layout(context(node));
    DeviceValue x = in(node, 0);
    DeviceValue y = out(node, 0);
    if (y.count() == 0) return;
    add(new UnaryLibraryStep(node, x, y, new SoftmaxDescriptor(g.outer(), g.length(), g.inner())));
  }

  private void lrn(Node node) {
    LrnSpec.Params p = LrnSpec.params(context(node));
    DeviceValue x = in(node, 0);
    Shape s = x.shape();
    LrnDescriptor d;
    try {
      d =
          new LrnDescriptor(
              s.dim(0), s.dim(1), s.size(2, s.rank()), p.size(), p.alpha(), p.beta(), p.bias());
    } catch (IllegalArgumentException e) {
      throw unsupported(node, e.getMessage());
    }
    add(new UnaryLibraryStep(node, x, out(node, 0), d));
  }

  private void batchNorm(Node node) {
    float eps = BatchNormalizationSpec.epsilon(context(node));
    List<DeviceValue> ins = new ArrayList<>();
    for (int i = 0; i < 5; i++) ins.add(in(node, i));
    add(new BatchNormStep(node, ins, out(node, 0), eps));
  }

  /**
   * Y by one {@link LayerNormStep}; Mean and InvStdDev, where a lowered node or a target reads
   * them, by a {@link LayerNormStatisticStep} each.
   */
  private void layerNorm(Node node) {
    OpContext ctx = context(node);
    LayerNormalizationSpec.Layout g = LayerNormalizationSpec.layout(ctx);
    float eps = LayerNormalizationSpec.epsilon(ctx);
    DeviceValue x = in(node, 0);
    add(
        new LayerNormStep(
            node,
            Step.present(x, in(node, 1), optionalIn(node, 2)),
            out(node, 0),
            g.rows(),
            g.cols(),
            eps));
    LayerNormStatistic[] stats = {LayerNormStatistic.MEAN, LayerNormStatistic.INV_STD_DEV};
    for (int k = 1; k < Math.min(3, node.outputs().size()); k++) {
      String name = node.outputs().get(k);
      if (name.isEmpty() || !read.contains(name)) continue;
      add(new LayerNormStatisticStep(node, x, out(node, k), stats[k - 1], g.rows(), g.cols(), eps));
    }
  }

  private void concat(Node node) {
    int axis = ConcatSpec.axis(context(node));
    List<DeviceValue> ins = new ArrayList<>();
    for (int i = 0; i < node.inputs().size(); i++) ins.add(in(node, i));
    add(new ConcatStep(node, ins, out(node, 0), axis));
  }

  private void pad(Node node) {
    OpContext ctx = context(node);
    PadSpec.Padding p = PadSpec.padding(ctx);
    DeviceValue x = in(node, 0);
    requireRank(node, x.shape(), CustomKernels.MAX_RANK);
    PadMode mode = PadMode.valueOf(p.mode().name());
    // The fill value: input 2 (opset 11+; a constant or a graph input; empty means 0) or the value
    // attribute.
    DeviceValue value =
        graph.opset() >= 11 && node.hasInput(2) && in(node, 2).count() > 0
            ? scalarIn(node, 2)
            : hostWeight(
                node, "value", new float[] {graph.opset() >= 11 ? 0f : PadSpec.constantValue(ctx)});
    add(new PadStep(node, x, value, out(node, 0), mode, p.begin()));
  }

  /**
   * Slice with unit steps is a constant Pad by minus the starts (a crop), and its gradient Pad's
   * constant-mode backward (dy placed at the starts, zeros elsewhere). Other steps (Swin's x[:,
   * 0::2]) are one Gather per axis that changes, with the indices the range visits.
   */
  private void slice(Node node) {
    SliceSpec.Ranges r = SliceSpec.ranges(context(node));
    DeviceValue x = in(node, 0);
    requireRank(node, x.shape(), CustomKernels.MAX_RANK);
    boolean unitSteps = true;
    for (int k = 0; k < r.begin().length; k++) unitSteps &= r.step()[k] == 1 || r.dims()[k] <= 1;
    if (unitSteps) {
      int[] begin = new int[r.begin().length];
      for (int k = 0; k < begin.length; k++) begin[k] = -r.begin()[k];
      DeviceValue zero = hostWeight(node, "value", new float[] {0f});
      add(new PadStep(node, x, zero, out(node, 0), PadMode.CONSTANT, begin));
      return;
    }
    int[][] indices = new int[r.dims().length][];
    for (int k = 0; k < indices.length; k++) {
      if (r.dims()[k] == x.shape().dim(k) && r.begin()[k] == 0 && r.step()[k] == 1) continue;
      indices[k] = new int[r.dims()[k]];
      for (int j = 0; j < indices[k].length; j++) indices[k][j] = r.begin()[k] + j * r.step()[k];
    }
    gatherAxes(node, x, indices);
  }

  /**
   * Tile: one GatherStep per axis repeated more than once (indices 0..d-1 over and over; the
   * gradient sums the repeats); an alias where nothing repeats.
   */
  private void tile(Node node) {
    int[] repeats = TileSpec.repeats(context(node));
    DeviceValue x = in(node, 0);
    requireRank(node, x.shape(), CustomKernels.MAX_RANK);
    int[][] indices = new int[repeats.length][];
    boolean any = false;
    for (int k = 0; k < repeats.length; k++) {
      if (repeats[k] == 1 || x.shape().dim(k) == 0) continue;
      int d = x.shape().dim(k);
      indices[k] = new int[d * repeats[k]];
      for (int j = 0; j < indices[k].length; j++) indices[k][j] = j % d;
      any = true;
    }
    if (any) gatherAxes(node, x, indices);
    else alias(node);
  }

  private void instanceNorm(Node node) {
    float eps = org.featviz.ops.InstanceNormalizationSpec.epsilon(context(node));
    List<DeviceValue> ins = List.of(in(node, 0), in(node, 1), in(node, 2));
    add(new InstanceNormStep(node, ins, out(node, 0), eps));
  }

  /**
   * Expand of float data: an alias where it leaves x's shape (torch's repeat expands by ones), else
   * x + 0 broadcast to y by the arithmetic kernels (whose gradient sums the copies).
   */
  private void expand(Node node) {
    DeviceValue x = in(node, 0);
    DeviceValue y = out(node, 0);
    if (x.shape().equals(y.shape())) {
      alias(node);
      return;
    }
    requireRank(node, y.shape(), CustomKernels.MAX_RANK);
    DeviceValue zero = hostWeight(node, "zero", Shape.of(), new float[] {0f});
    add(new ArithmeticStep(node, x, zero, y, ArithmeticOp.ADD));
  }

  /**
   * Resize and Upsample: one ResampleStep per axis that changes, the taps a host weight of four
   * rows (i0, i1, w0, w1); an alias where none does.
   */
  private void resize(Node node) {
    ResizeSpec.Taps[] taps = ResizeSpec.taps(context(node));
    DeviceValue x = in(node, 0);
    List<Integer> changed = new ArrayList<>();
    for (int k = 0; k < taps.length; k++) if (!taps[k].identity(x.shape().dim(k))) changed.add(k);
    if (changed.isEmpty()) {
      alias(node);
      return;
    }
    for (int k : changed) {
      if (x.shape().dim(k) > (1 << 24))
        throw unsupported(
            node, "axis " + k + " of " + x.shape() + " is too long for the resample kernels");
    }
    DeviceValue from = x;
    for (int c = 0; c < changed.size(); c++) {
      int k = changed.get(c);
      ResizeSpec.Taps t = taps[k];
      int n = t.i0().length;
      float[] rows = new float[4 * n];
      for (int i = 0; i < n; i++) {
        rows[i] = t.i0()[i];
        rows[n + i] = t.i1()[i];
        rows[2 * n + i] = t.w0()[i];
        rows[3 * n + i] = t.w1()[i];
      }
      DeviceValue tv = hostWeight(node, "taps" + k, rows);
      DeviceValue y =
          c == changed.size() - 1
              ? out(node, 0)
              : intermediate(node, "axis" + k, from.shape().withDim(k, n));
      add(new ResampleStep(node, from, tv, y, k));
      from = y;
    }
  }

  /**
   * y = x with axis k gathered at indices[k] (null: kept whole), one GatherStep per gathered axis
   * (the indices a host weight of whole floats), the last writing the node's output.
   */
  private void gatherAxes(Node node, DeviceValue x, int[][] indices) {
    List<Integer> changed = new ArrayList<>();
    for (int k = 0; k < indices.length; k++) if (indices[k] != null) changed.add(k);
    DeviceValue from = x;
    for (int c = 0; c < changed.size(); c++) {
      int k = changed.get(c);
      Shape s = from.shape();
      int[] idx = indices[k];
      float[] index = new float[idx.length];
      for (int j = 0; j < idx.length; j++) index[j] = idx[j];
      DeviceValue ix =
          hostWeight(node, "indices" + k, index.length == 0 ? new float[] {0f} : index);
      GatherSpec.Layout g =
          new GatherSpec.Layout(s.size(0, k), s.dim(k), s.size(k + 1, s.rank()), idx);
      DeviceValue y =
          c == changed.size() - 1
              ? out(node, 0)
              : intermediate(node, "axis" + k, s.withDim(k, idx.length));
      add(new GatherStep(node, from, ix, y, g));
      from = y;
    }
  }

  private void transpose(Node node) {
    DeviceValue x = in(node, 0);
    requireRank(node, x.shape(), CustomKernels.MAX_RANK);
    add(new TransposeStep(node, x, out(node, 0), TransposeSpec.perm(context(node))));
  }

  /** Split: one crop (a constant Pad by minus the part's offset) per output, all reading x. */
  private void split(Node node) {
    SplitSpec.Parts p = SplitSpec.parts(context(node));
    DeviceValue x = in(node, 0);
    requireRank(node, x.shape(), CustomKernels.MAX_RANK);
    DeviceValue zero = hostWeight(node, "value", new float[] {0f});
    for (int k = 0; k < p.sizes().length; k++) {
      if (node.outputs().get(k).isEmpty()) continue;
      int[] begin = new int[x.shape().rank()];
      begin[p.axis()] = -p.offsets()[k];
      add(new PadStep(node, x, zero, out(node, k), PadMode.CONSTANT, begin));
    }
  }

  /** Gather with constant indices; they travel as whole floats (exact below 2^24). */
  private void gather(Node node) {
    GatherSpec.Layout g = GatherSpec.layout(context(node));
    if (g.axisDim() > (1 << 24))
      throw unsupported(
          node, "an axis of " + g.axisDim() + " (the device gathers from at most 2^24)");
    float[] index = new float[g.indices().length];
    for (int k = 0; k < index.length; k++) index[k] = g.indices()[k];
    DeviceValue idx = hostWeight(node, "indices", index.length == 0 ? new float[] {0f} : index);
    add(new GatherStep(node, in(node, 0), idx, out(node, 0), g));
  }

  /**
   * Max and Min: one input is an alias; more are folded left to right, two at a time, so that the
   * earlier input wins a tie, as on the CPU.
   */
  private void extremum(Node node, ArithmeticOp op) {
    int n = node.inputs().size();
    if (n == 1) {
      alias(node);
      return;
    }
    DeviceValue acc = in(node, 0);
    for (int i = 1; i < n; i++) {
      DeviceValue b = in(node, i);
      DeviceValue y;
      if (i == n - 1) {
        y = out(node, 0);
      } else {
        Shape s = Broadcast.multidirectional(acc.shape(), b.shape());
        y = intermediate(node, "partial" + i, s);
      }
      requireRank(node, y.shape(), CustomKernels.MAX_RANK);
      add(new ArithmeticStep(node, acc, b, y, op));
      acc = y;
    }
  }

  /** ReduceSum / ReduceMean / ReduceMax; with noop_with_empty_axes and no axes, an alias. */
  private void reduce(Node node) {
    ReduceSpec.Reduction r = ReduceSpec.reduction(context(node));
    DeviceValue x = in(node, 0);
    boolean any = false;
    for (boolean b : r.reduced()) any |= b;
    if (!any) {
      alias(node);
      return;
    }
    requireRank(node, x.shape(), CustomKernels.MAX_RANK);
    ReduceOp op = ReduceOp.valueOf(r.kind().name());
    add(new ReduceStep(node, x, out(node, 0), op, r.reduced()));
  }
}
