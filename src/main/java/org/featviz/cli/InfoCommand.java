package org.featviz.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.ValueInfo;
import org.featviz.onnx.OnnxImporter;
import org.featviz.ops.ShapeInference;
import org.featviz.passes.Prepare;
import org.featviz.passes.TokenLayers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code featviz info MODEL}: the input and every layer with its op, output shape, units and
 * parameters.
 */
@Command(
    name = "info",
    description = "Show a model's input and layers (the names other commands address).")
final class InfoCommand extends FeatvizCommand {
  @Parameters(paramLabel = "MODEL", description = "ONNX model file")
  Path model;

  @Mixin InputShapeOption inputShape;

  @Override
  public Integer call() {
    PrintWriter out = stdout();
    Graph g = Prepare.simplify(OnnxImporter.read(model), inputShape.dims());
    org.featviz.passes.InputShapes.requireOneImage(g, inputShape.dims());
    Map<String, Shape> inputs = Prepare.inputShapes(g, inputShape.dims());
    ShapeInference.Result r = ShapeInference.inferLenient(g, inputs);
    out.printf("model: %s (opset %d, %d nodes)%n", model, g.opset(), g.nodes().size());
    for (ValueInfo in : g.inputs()) {
      out.printf(
          "input: %s %s %s (declared %s)%n",
          in.name(), inputs.get(in.name()), in.typeName(), in.dimsText());
    }
    if (!g.metadata().isEmpty())
      g.metadata().forEach((k, v) -> out.printf("metadata: %s = %s%n", k, v));
    out.println();
    String format = "%-28s %-20s %-20s %8s %10s%n";
    out.printf(format, "layer", "op", "output shape", "units", "params");
    long total = 0;
    boolean tokens = false;
    for (Node n : g.nodes()) {
      Shape s = r.shapes().get(n.output());
      long params = 0;
      for (String in : n.inputs())
        if (g.isInitializer(in)) params += g.initializers().get(in).size();
      total += params;
      boolean featuresLast = TokenLayers.featuresLast(g, r.shapes(), n.output());
      tokens |= featuresLast;
      String units =
          s == null || s.rank() < 2
              ? "-"
              : Integer.toString(TokenLayers.units(g, r.shapes(), n.output()))
                  + (featuresLast ? "*" : "");
      out.printf(format, n.output(), n.opType(), s == null ? "?" : s.toString(), units, params);
    }
    out.printf("%ntotal parameters: %d%n", total);
    if (tokens) {
      out.println(
          "* [N, tokens, features]: the units are the features (channel: a feature's mean over"
              + " the tokens; neuron: one token's feature, position = token)");
    }
    if (!r.problems().isEmpty()) {
      out.println("\nnot supported (layers from here on have no shape):");
      for (ModelException e : r.problems()) out.println("  " + e.getMessage());
    }
    return 0;
  }
}
