package org.featviz.passes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.featviz.cpu.CpuExecutor;
import org.featviz.cpu.CpuKernels;
import org.featviz.ir.Attributes;
import org.featviz.ir.DType;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.UnsupportedException;
import org.featviz.ir.ValueInfo;
import org.featviz.ops.OpContext;
import org.featviz.ops.Ops;

/**
 * Folds the shape arithmetic of exported models (Shape -> Gather -> Unsqueeze -> Concat -> Reshape,
 * ConstantOfShape, Expand, Range, Equal/Where, Cast, integer Add/Sub/Mul/Div) to constants, with
 * the input shapes fixed. Shapes of the float values in between come from each op's spec, so a
 * Shape anywhere in the graph folds.
 *
 * <p>The batch is set per run, so a dynamic batch dimension must not end up frozen in a constant.
 * The arithmetic is evaluated at two batch sizes: what is the same at both is a constant; what
 * differs depends on the batch and may only be a Reshape's shape, where the element is written 0
 * (copy the input's dimension, where that is the same value at both sizes) or -1 (infer: the one
 * element that depends on the batch). Anything else that depends on the batch is refused naming the
 * node that reads it.
 */
public final class FoldShapes {
  private FoldShapes() {}

  /**
   * @param inputShapes the static shape of every graph input, or null where they are not known
   *     (then only arithmetic that needs no input shape folds)
   * @param strict whether shape arithmetic left unfolded is an error (naming the node and why);
   *     else it stays in the graph for later passes to report
   */
  public static Graph apply(Graph g, Map<String, Shape> inputShapes, boolean strict) {
    return new Run(g, inputShapes).fold(strict);
  }

  /** Whether featviz folds {@code opType} as shape arithmetic (where its inputs are known). */
  public static boolean folds(String opType) {
    return ShapeArithmetic.OPS.contains(opType);
  }

  /** Throws for the first shape-arithmetic node left in {@code g} (after {@link #apply}). */
  public static void requireFolded(Graph g, Map<String, Shape> inputShapes) {
    apply(g, inputShapes, true);
  }

  private static final class Run {
    final Graph g;

    /** One world per batch size evaluated: 1 (fixed batch, or no input shapes) or 2. */
    final List<Map<String, Shape>> shapes = new ArrayList<>();

    final List<Map<String, Tensor>> values = new ArrayList<>();
    final Set<String> batchDependent = new HashSet<>();

    Run(Graph g, Map<String, Shape> inputShapes) {
      this.g = g;
      boolean dynamicBatch = false;
      if (inputShapes != null)
        for (ValueInfo in : g.inputs())
          dynamicBatch |=
              in.dims().length > 0 && in.dims()[0] < 0 && inputShapes.containsKey(in.name());
      for (int w = 0; w < (dynamicBatch ? 2 : 1); w++) {
        Map<String, Shape> s = new LinkedHashMap<>();
        if (inputShapes != null) {
          for (ValueInfo in : g.inputs()) {
            Shape shape = inputShapes.get(in.name());
            if (shape == null) continue;
            if (w == 1 && in.dims().length > 0 && in.dims()[0] < 0)
              shape = shape.withDim(0, shape.dim(0) + 2);
            s.put(in.name(), shape);
          }
        }
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet())
          s.put(e.getKey(), e.getValue().shape());
        shapes.add(s);
        values.add(new LinkedHashMap<>(g.initializers()));
      }
    }

    Graph fold(boolean strict) {
      Map<String, Tensor> inits = new LinkedHashMap<>(g.initializers());
      List<Node> kept = new ArrayList<>();
      for (Node n : g.nodes()) {
        if (known(n)) {
          Tensor[][] out = new Tensor[shapes.size()][];
          try {
            for (int w = 0; w < out.length; w++) out[w] = evaluate(n, w);
          } catch (ModelException e) {
            if (strict) throw located(e);
            kept.add(n);
            continue;
          }
          for (int k = 0; k < n.outputs().size() && k < out[0].length; k++) {
            String o = n.outputs().get(k);
            if (o.isEmpty()) continue;
            boolean same = true;
            for (int w = 0; w < out.length; w++) {
              values.get(w).put(o, out[w][k]);
              shapes.get(w).put(o, out[w][k].shape());
              same &= equal(out[0][k], out[w][k]);
            }
            if (same) inits.put(o, out[0][k]);
            else batchDependent.add(o);
          }
          continue;
        }
        Node node = rewriteBatchInputs(n, inits);
        if (isFloatToFloatCast(node)) node = identity(node);
        if (strict && ShapeArithmetic.SHAPE_ONLY.contains(node.opType())) throw unfolded(n);
        kept.add(node);
        inferShapes(node);
      }
      for (String o : g.outputs())
        if (batchDependent.contains(o))
          throw new ModelException(
              g.source()
                  + ": graph output '"
                  + o
                  + "' is shape arithmetic that depends on the batch size, which featviz sets per run");
      // Keep only the initializers something still reads.
      Set<String> read = new HashSet<>(g.outputs());
      for (Node n : kept) read.addAll(n.inputs());
      Map<String, Tensor> live = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : inits.entrySet())
        if (read.contains(e.getKey()) || g.initializers().containsKey(e.getKey()))
          live.put(e.getKey(), e.getValue());
      return g.withNodes(kept, live);
    }

    /** Whether every input of n is known in every world (n's input shape, for Shape and Size). */
    boolean known(Node n) {
      String op = n.opType();
      boolean shapeOnly = op.equals("Shape") || op.equals("Size");
      boolean arithmetic = ShapeArithmetic.OPS.contains(op);
      boolean cpu = Ops.isSupported(op) && CpuKernels.has(op);
      if (!arithmetic && !cpu) return false;
      if (op.equals("Constant")) return true;
      if (n.inputs().stream().allMatch(String::isEmpty) && !shapeOnly) return false;
      for (int w = 0; w < shapes.size(); w++) {
        for (int i = 0; i < n.inputs().size(); i++) {
          String in = n.input(i);
          if (in.isEmpty()) continue;
          if (shapeOnly ? !shapes.get(w).containsKey(in) : !values.get(w).containsKey(in))
            return false;
          if (shapeOnly) break;
        }
      }
      if (arithmetic) return true;
      // Other float ops on constants run on the CPU kernels (float data only).
      for (String in : n.inputs())
        if (!in.isEmpty() && values.get(0).get(in).dtype() != DType.FLOAT) return false;
      return true;
    }

    Tensor[] evaluate(Node n, int w) {
      Tensor[] in = new Tensor[n.inputs().size()];
      for (int i = 0; i < in.length; i++)
        if (!n.input(i).isEmpty()) in[i] = values.get(w).get(n.input(i));
      if (ShapeArithmetic.OPS.contains(n.opType())) {
        Shape s0 = n.hasInput(0) ? shapes.get(w).get(n.input(0)) : null;
        return ShapeArithmetic.evaluate(n, g.opset(), in, s0);
      }
      Map<String, Tensor> consts = new LinkedHashMap<>();
      for (String i : n.inputs()) if (!i.isEmpty()) consts.put(i, values.get(w).get(i));
      Graph single =
          new Graph(
              g.source(),
              g.opset(),
              List.of(),
              n.outputs(),
              List.of(n),
              consts,
              Map.of(),
              Map.of());
      Map<String, Tensor> v;
      try {
        v = new CpuExecutor(single).forward(Map.of(), n.outputs()).values();
      } catch (ModelException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new ModelException(n.describe() + ": " + e.getMessage(), e);
      }
      Tensor[] out = new Tensor[n.outputs().size()];
      for (int k = 0; k < out.length; k++) out[k] = v.get(n.outputs().get(k));
      return out;
    }

    /**
     * n with each input that depends on the batch replaced by a batch-free constant: only a
     * Reshape's shape can be; anything else is refused.
     */
    Node rewriteBatchInputs(Node n, Map<String, Tensor> inits) {
      List<String> inputs = new ArrayList<>(n.inputs());
      for (int i = 0; i < inputs.size(); i++) {
        String name = inputs.get(i);
        if (!batchDependent.contains(name)) continue;
        if (!n.opType().equals("Reshape") || i != 1) {
          throw located(
              new ModelException(
                  n.describe()
                      + ": input "
                      + i
                      + " ('"
                      + name
                      + "') is shape arithmetic that depends on the batch size, which featviz sets"
                      + " per run; featviz folds such values only into a Reshape's shape"));
        }
        long[] shape = reshapeWithoutBatch(n);
        String folded = name + "#batch-free";
        while (inits.containsKey(folded) && !Arrays.equals(inits.get(folded).longs(), shape))
          folded += "'";
        inits.put(folded, Tensor.ofInts(DType.INT64, Shape.of(shape.length), shape));
        for (Map<String, Tensor> v : values) v.put(folded, inits.get(folded));
        for (Map<String, Shape> s : shapes) s.put(folded, Shape.of(shape.length));
        inputs.set(i, folded);
      }
      return inputs.equals(n.inputs()) ? n : n.withInputs(inputs);
    }

    long[] reshapeWithoutBatch(Node n) {
      long[][] t = new long[shapes.size()][];
      Shape[] x = new Shape[shapes.size()];
      for (int w = 0; w < t.length; w++) {
        t[w] = values.get(w).get(n.input(1)).longs();
        x[w] = shapes.get(w).get(n.input(0));
      }
      String why = null;
      long[] r = t[0].clone();
      int free = -1;
      boolean minusOne = false;
      for (long v : r) minusOne |= v == -1;
      if (n.attributes().getInt("allowzero", 0) != 0) why = "it has allowzero = 1";
      for (int k = 0; k < r.length && why == null; k++) {
        boolean varies = false;
        boolean copiesInput = true;
        for (int w = 0; w < t.length; w++) {
          varies |= t[w][k] != t[0][k];
          copiesInput &= x[w] != null && k < x[w].rank() && x[w].dim(k) == t[w][k];
        }
        if (!varies) continue;
        if (copiesInput) {
          r[k] = 0;
        } else if (free < 0 && !minusOne) {
          free = k;
          r[k] = -1;
        } else {
          why = "more than one of its dimensions depends on the batch";
        }
      }
      if (why != null) {
        throw located(
            new ModelException(
                n.describe()
                    + ": its shape "
                    + Arrays.toString(t[0])
                    + " depends on the batch size, which featviz sets per run, and cannot be"
                    + " written without it ("
                    + why
                    + ")"));
      }
      return r;
    }

    /** The output shapes of a node that stays, in every world, where its spec can tell. */
    void inferShapes(Node n) {
      if (!Ops.isSupported(n.opType())) return;
      for (int w = 0; w < shapes.size(); w++) {
        List<Shape> in = new ArrayList<>();
        List<Tensor> constants = new ArrayList<>();
        boolean complete = true;
        for (String name : n.inputs()) {
          Shape s = name.isEmpty() ? null : shapes.get(w).get(name);
          if (!name.isEmpty() && s == null) complete = false;
          in.add(s);
          constants.add(name.isEmpty() ? null : values.get(w).get(name));
        }
        if (!complete) return;
        try {
          List<Shape> out =
              Ops.spec(n, g.opset()).outputShapes(new OpContext(n, in, constants, g.opset()));
          for (int k = 0; k < n.outputs().size() && k < out.size(); k++)
            if (!n.outputs().get(k).isEmpty()) shapes.get(w).put(n.outputs().get(k), out.get(k));
        } catch (RuntimeException e) {
          return; // shape inference reports it later, with its context
        }
      }
    }

    /**
     * A Cast to float of float data (computed by a float op, or a float graph input): a no-op, as
     * LayerNormalization's function body casts to its stash type.
     */
    boolean isFloatToFloatCast(Node n) {
      if (!n.opType().equals("Cast") || n.attributes().getInt("to", -1) != 1) return false;
      String in = n.input(0);
      Node p = g.producer(in);
      if (p != null)
        return Ops.isSupported(p.opType()) && !ShapeArithmetic.SHAPE_ONLY.contains(p.opType());
      for (ValueInfo v : g.inputs()) if (v.name().equals(in)) return v.dtype() == DType.FLOAT;
      return false;
    }

    static Node identity(Node n) {
      return new Node(
          n.name(), "Identity", List.of(n.input(0)), n.outputs(), new Attributes(Map.of()));
    }

    ModelException unfolded(Node n) {
      String why = "";
      for (int i = 0; i < n.inputs().size(); i++) {
        String in = n.input(i);
        if (in.isEmpty()) continue;
        boolean isShape = n.opType().equals("Shape") || n.opType().equals("Size");
        boolean have = isShape ? shapes.get(0).containsKey(in) : values.get(0).containsKey(in);
        if (!have) {
          why =
              isShape
                  ? "the shape of input 0 ('" + in + "') is not known at import"
                  : "input "
                      + i
                      + " ('"
                      + in
                      + "') is computed from the input's data, not only its shape";
          break;
        }
      }
      if (why.isEmpty()) why = "its inputs are not known at import";
      return located(
          new UnsupportedException(
              n.describe()
                  + ": featviz computes "
                  + n.opType()
                  + " only as shape arithmetic folded at import, and cannot fold this one: "
                  + why));
    }

    ModelException located(ModelException e) {
      if (e.getMessage().startsWith(g.source())) return e;
      return e instanceof UnsupportedException
          ? new UnsupportedException(g.source() + ": " + e.getMessage())
          : new ModelException(g.source() + ": " + e.getMessage(), e);
    }
  }

  static boolean equal(Tensor a, Tensor b) {
    if (!a.shape().equals(b.shape()) || a.dtype() != b.dtype()) return false;
    return a.dtype() == DType.FLOAT
        ? Arrays.equals(a.data(), b.data())
        : Arrays.equals(a.longs(), b.longs());
  }
}
