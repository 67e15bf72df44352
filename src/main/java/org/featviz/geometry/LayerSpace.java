package org.featviz.geometry;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.backend.ForwardBackend;
import org.featviz.cpu.CpuExecutor;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.model.InputNormalization;

/**
 * A layer's units as functions on a space: the layer's own input (where the layer is {@code W x +
 * b}: a Gemm, a MatMul with its bias, or a Conv read at one position, so every unit is a hyperplane
 * there) or the network's input (pixels; any layer, the units then piecewise linear through the
 * layers before). The units are the layer's pre-activations: for a layer named by its ReLU (or
 * another elementwise activation), the values the activation reads.
 */
public final class LayerSpace {
  /** Where the units are evaluated. */
  public enum Space {
    /** The input of the layer's affine node: each unit a hyperplane. */
    LAYER,
    /** The network's input image, in pixels before normalization. */
    INPUT
  }

  private static final Set<String> ACTIVATIONS =
      Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Elu", "Softplus", "HardSigmoid");
  private static final Set<String> AFFINE_NODES = Set.of("Gemm", "MatMul", "Conv");
  private static final Set<String> RESHAPES = Set.of("Flatten", "Reshape", "Squeeze", "Unsqueeze");

  /** The position that takes every value of a spatial layer as a unit. */
  public static final int[] ALL_POSITIONS = new int[0];

  private final Graph graph;
  private final CpuExecutor exec;
  private final InputNormalization norm;
  private final Space space;
  private final String layer;
  private final String units;
  private final String input;
  private final Shape inputShape;
  private final int[] unitIndex;
  private final int valuesPerSample;

  /** Where the grid points of the input space run forward; null: the CPU executor. */
  private final ForwardBackend backend;

  private LayerSpace(
      Graph graph,
      InputNormalization norm,
      Space space,
      String layer,
      String units,
      String input,
      int[] position) {
    this.graph = graph;
    this.exec = new CpuExecutor(graph);
    this.norm = norm;
    this.space = space;
    this.layer = layer;
    this.units = units;
    this.input = input;
    Shape in = graph.shape(input);
    this.inputShape = Shape.of(java.util.Arrays.copyOfRange(in.dims(), 1, in.rank()));
    Shape out = graph.shape(units);
    this.valuesPerSample = out.size(1, out.rank());
    this.unitIndex = unitIndex(out, position);
    this.backend = null;
  }

  private LayerSpace(LayerSpace from, ForwardBackend backend) {
    this.graph = from.graph;
    this.exec = from.exec;
    this.norm = from.norm;
    this.space = from.space;
    this.layer = from.layer;
    this.units = from.units;
    this.input = from.input;
    this.inputShape = from.inputShape;
    this.valuesPerSample = from.valuesPerSample;
    this.unitIndex = from.unitIndex;
    this.backend = backend;
  }

  /**
   * This space with its input-space evaluations (the grid points as images, batched) run on {@code
   * backend}, opened on the same graph; the layer space's few evaluations stay on the CPU. The
   * caller keeps and closes the backend.
   */
  public LayerSpace evaluatedOn(ForwardBackend backend) {
    return new LayerSpace(this, backend);
  }

  /** Where {@link #evaluate} runs: "cpu", or the backend's description. */
  public String evaluatesOn() {
    return backend != null && space == Space.INPUT ? backend.describe() : "cpu";
  }

  /**
   * The units of {@code layer} in {@code graph} (prepared to run up to it) on the given space.
   *
   * @param position for a layer with spatial axes, the position (y, x) whose channels are the
   *     units; null: the centre in the layer space, every value of the layer in the input space
   */
  public static LayerSpace of(
      Graph graph, InputNormalization norm, String layer, Space space, int[] position) {
    String name = graph.resolveLayer(layer);
    Node producer = graph.producer(name);
    String units =
        producer != null && ACTIVATIONS.contains(producer.opType()) ? producer.input(0) : name;
    String imageInput = graph.input().name();
    int[] at =
        position == ALL_POSITIONS ? null : position != null ? position : centre(graph.shape(units));
    if (space == Space.INPUT) {
      return new LayerSpace(graph, norm, space, name, units, imageInput, at);
    }
    Node affine = graph.producer(units);
    if (affine != null && affine.opType().equals("Add")) {
      // MatMul + Add: the bias is the initializer side.
      Node left = graph.producer(affine.input(0));
      Node right = graph.producer(affine.input(1));
      affine = left != null && left.opType().equals("MatMul") ? left : right;
    }
    if (affine == null || !AFFINE_NODES.contains(affine.opType())) {
      throw new ModelException(
          graph.source()
              + ": layer '"
              + name
              + "' is not computed as W x + b (its units '"
              + units
              + "' come from "
              + (graph.producer(units) == null ? "the input" : graph.producer(units).describe())
              + "); use the input space, or a layer after a Gemm, MatMul or Conv");
    }
    String in = affine.input(0);
    while (graph.producer(in) != null && RESHAPES.contains(graph.producer(in).opType())) {
      in = graph.producer(in).input(0);
    }
    for (Node n : graph.nodesFeeding(List.of(units), Set.of(in))) {
      boolean linear =
          AFFINE_NODES.contains(n.opType()) || RESHAPES.contains(n.opType()) || isBias(graph, n);
      if (!linear) {
        throw new ModelException(
            graph.source()
                + ": layer '"
                + name
                + "': "
                + n.describe()
                + " between '"
                + in
                + "' and '"
                + units
                + "' is not affine");
      }
    }
    if (at == null && graph.shape(units).rank() == 4) {
      throw new ModelException(
          "layer '" + name + "': in its layer space the units are the channels at one position");
    }
    return new LayerSpace(graph, norm, space, name, units, in, at);
  }

  private static boolean isBias(Graph g, Node n) {
    return (n.opType().equals("Add") || n.opType().equals("Sub"))
        && (g.isInitializer(n.input(0)) || g.isInitializer(n.input(1)));
  }

  private static int[] unitIndex(Shape out, int[] position) {
    if (out.rank() == 2) {
      if (position != null) {
        throw new ModelException(
            "layer output " + out + " has no spatial axes to take a position in");
      }
      return null;
    }
    if (out.rank() != 4)
      throw new ModelException("layer output " + out + ": expected [N, C, H, W]");
    int c = out.dim(1);
    int h = out.dim(2);
    int w = out.dim(3);
    int[] p = position;
    if (p == null) return null;
    if (p.length != 2 || p[0] < 0 || p[0] >= h || p[1] < 0 || p[1] >= w) {
      throw new ModelException(
          "position "
              + java.util.Arrays.toString(p)
              + " is outside the layer's "
              + h
              + " x "
              + w
              + " positions");
    }
    int[] index = new int[c];
    for (int i = 0; i < c; i++) index[i] = (i * h + p[0]) * w + p[1];
    return index;
  }

  /**
   * For a layer space over a spatial layer with no position given: its centre, so that each channel
   * is one unit.
   */
  public static int[] centre(Shape layerShape) {
    return layerShape.rank() == 4 ? new int[] {layerShape.dim(2) / 2, layerShape.dim(3) / 2} : null;
  }

  public Space space() {
    return space;
  }

  /** The layer as resolved (the name the user gave, resolved). */
  public String layer() {
    return layer;
  }

  /** The value whose entries are the units (the pre-activations). */
  public String unitsValue() {
    return units;
  }

  /** The value the units are functions of. */
  public String inputValue() {
    return input;
  }

  /** One point's shape in the space (without the batch axis). */
  public Shape pointShape() {
    return inputShape;
  }

  public int dimension() {
    return inputShape.size();
  }

  public int units() {
    return unitIndex != null ? unitIndex.length : valuesPerSample;
  }

  /** Whether every unit is affine on the space (so one evaluation at three points gives it). */
  public boolean affine() {
    return space == Space.LAYER;
  }

  /** The units at {@code n} points ({@code [n][dimension]} flattened): {@code [n][units]}. */
  public float[] evaluate(float[] points, int n) {
    if (points.length != n * dimension()) {
      throw new IllegalArgumentException(points.length + " values for " + n + " points");
    }
    int[] dims = new int[inputShape.rank() + 1];
    dims[0] = n;
    System.arraycopy(inputShape.dims(), 0, dims, 1, inputShape.rank());
    Tensor x = Tensor.of(Shape.of(dims), points);
    if (input.equals(graph.input().name())) x = norm.apply(x);
    float[] all =
        backend != null && space == Space.INPUT
            ? backend.forward(Map.of(input, x), List.of(units)).get(units).data()
            : exec.forward(Map.of(input, x), List.of(units)).get(units).data();
    if (unitIndex == null) return all;
    float[] out = new float[n * unitIndex.length];
    for (int p = 0; p < n; p++) {
      for (int u = 0; u < unitIndex.length; u++) {
        out[p * unitIndex.length + u] = all[p * valuesPerSample + unitIndex[u]];
      }
    }
    return out;
  }

  /** The values of this space's input for dataset images ([n][C, H, W] pixels, flattened). */
  public float[] pointsOf(Tensor images) {
    if (input.equals(graph.input().name())) return images.data().clone();
    Tensor x = norm.apply(images);
    return exec.forward(Map.of(graph.input().name(), x), List.of(input)).get(input).data();
  }
}
