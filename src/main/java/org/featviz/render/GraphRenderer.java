package org.featviz.render;

import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;
import org.featviz.ir.Graph;
import org.featviz.ir.Shape;
import org.featviz.model.InputNormalization;

/**
 * What the CPU {@link Renderer} and the device renderer share: the prepared graph, its input and
 * normalization, the options resolved for the image, and the checks of a batch's targets before its
 * render (an empty batch renders nothing).
 */
public abstract class GraphRenderer implements ImageRenderer {
  protected final Graph graph;
  protected final InputNormalization norm;
  protected final RenderOptions opts;
  protected final String input;
  protected final Shape imageShape;

  /**
   * @param graph a prepared graph whose outputs include every layer the objectives read
   */
  protected GraphRenderer(Graph graph, InputNormalization norm, RenderOptions opts) {
    this.graph = graph;
    this.norm = norm;
    this.input = graph.input().name();
    this.imageShape = RenderSteps.imageShape(graph);
    this.opts = opts.resolvedFor(imageShape);
  }

  @Override
  public final Shape imageShape() {
    return imageShape;
  }

  @Override
  public final List<RenderResult> render(
      List<RenderTarget> targets, IntConsumer onStep, StepProbe probe) {
    if (targets.isEmpty()) return List.of();
    Set<String> layers = RenderSteps.checkedLayers(graph, targets, opts.batchTerms());
    return render(targets, layers, onStep, probe);
  }

  /** Renders a batch of one or more targets whose objectives read {@code layers} (checked). */
  protected abstract List<RenderResult> render(
      List<RenderTarget> targets, Set<String> layers, IntConsumer onStep, StepProbe probe);
}
