package org.featviz;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Shape;
import org.featviz.model.InputNormalization;
import org.featviz.objective.Objective;
import org.featviz.onnx.OnnxImporter;
import org.featviz.ops.ShapeInference;
import org.featviz.passes.Prepare;
import org.featviz.render.RenderOptions;
import org.featviz.render.RenderResult;
import org.featviz.render.RenderTarget;
import org.featviz.render.Renderer;

/**
 * featviz's entry point for Java programs: an ONNX model opened for visualization.
 *
 * <pre>{@code
 * try (Model model = Model.open(Path.of("models/fashion-cnn.onnx"))) {
 *   List<RenderResult> images = model.render(
 *       List.of(model.unit("conv2", 5, Objectives.channel("conv2", 5)),
 *               model.unit("relu3", 7, Objectives.iam("relu3", 7))),
 *       RenderOptions.defaults().withSteps(128));
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
  private final Path file;
  private final Graph graph;
  private final long[] inputShape;
  private final InputNormalization normalization;
  private final Map<String, Shape> shapes;
  private boolean closed;

  private Model(Path file, Graph graph, long[] inputShape, InputNormalization normalization) {
    this.file = file;
    this.graph = graph;
    this.inputShape = inputShape == null ? null : inputShape.clone();
    this.normalization = normalization;
    this.shapes = ShapeInference.infer(graph, Prepare.inputShapes(graph, inputShape)).shapes();
  }

  /** Opens a model whose input shape is static (or has only a dynamic batch dimension). */
  public static Model open(Path file) {
    return open(file, null);
  }

  /** Opens a model, giving its input shape (with or without the batch dimension) where the model's is dynamic. */
  public static Model open(Path file, long[] inputShape) {
    Graph g = Prepare.simplify(OnnxImporter.read(file));
    return new Model(file, g, inputShape, InputNormalization.fromMetadata(g.metadata(), file.toString()));
  }

  /** The same model with another input normalization (the default comes from the model's metadata). */
  public Model withNormalization(InputNormalization norm) {
    return new Model(file, graph, inputShape, norm);
  }

  public Path file() {
    return file;
  }

  public Graph graph() {
    checkOpen();
    return graph;
  }

  public InputNormalization normalization() {
    return normalization;
  }

  /** Layer names, in graph order. */
  public List<String> layers() {
    return graph.layerNames();
  }

  /** A layer's output shape for one image, e.g. [1, 64, 28, 28]. */
  public Shape layerShape(String layer) {
    return shapes.get(graph.resolveLayer(layer));
  }

  /** Channels of a conv layer or features of a dense one. */
  public int units(String layer) {
    Shape s = layerShape(layer);
    return s.rank() < 2 ? 1 : s.dim(1);
  }

  /** A render target about one unit, checked against the layer's size. */
  public RenderTarget unit(String layer, int unit, Objective objective) {
    String name = graph.resolveLayer(layer);
    int n = units(name);
    if (unit < 0 || unit >= n) {
      throw new ModelException(file + ": layer '" + name + "' has " + n + " units (output " + layerShape(name)
          + "); unit " + unit + " is out of range");
    }
    return new RenderTarget(objective, name, unit);
  }

  /** The graph prepared to run as deep as the given layers and no deeper. */
  public Graph prepare(Collection<String> layers) {
    checkOpen();
    return Prepare.forRun(graph, inputShape, layers);
  }

  /** Optimizes one image per target, all in one batch. */
  public List<RenderResult> render(List<RenderTarget> targets, RenderOptions options) {
    return render(targets, options, step -> {});
  }

  public List<RenderResult> render(List<RenderTarget> targets, RenderOptions options, IntConsumer onStep) {
    checkOpen();
    Set<String> layers = new LinkedHashSet<>();
    for (RenderTarget t : targets) {
      for (String l : t.objective().layers()) layers.add(graph.resolveLayer(l));
      if (t.hasUnit()) layers.add(t.layer());
    }
    return new Renderer(prepare(new ArrayList<>(layers)), normalization, options).render(targets, onStep);
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("model " + file + " is closed");
  }

  /** Releases what the model holds (device memory once GPU backends hold some); idempotent. */
  @Override
  public void close() {
    closed = true;
  }
}
