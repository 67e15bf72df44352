package org.featviz.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.featviz.ir.DType;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Shape;
import org.featviz.ir.Tensor;
import org.featviz.ir.UnsupportedException;
import org.featviz.ir.ValueInfo;
import org.featviz.onnx.OnnxImporter;
import org.featviz.onnx.OnnxTensors;
import org.featviz.ops.Ops;
import org.featviz.ops.ShapeInference;
import org.featviz.ops.UnsupportedOpException;
import org.featviz.passes.Prepare;

/**
 * Runs ONNX backend test cases ({@code model.onnx} and {@code test_data_set_N/input_K.pb,
 * output_K.pb}) on a {@link ConformanceBackend} (the CPU by default) and compares every output with
 * {@code |actual - expected| <= atol + rtol |expected|}.
 */
public final class ConformanceRunner {
  public static final double RTOL = 1e-4;
  public static final double ATOL = 1e-5;

  private ConformanceRunner() {}

  public static ConformanceCase run(Path dir) {
    return run(dir, ConformanceBackend.CPU);
  }

  /** Runs one case folder on the given backend. */
  public static ConformanceCase run(Path dir, ConformanceBackend backend) {
    String name = dir.getFileName().toString();
    try {
      Graph imported = OnnxImporter.read(dir.resolve("model.onnx"));
      TreeSet<String> unsupported = new TreeSet<>();
      for (Node n : imported.nodes())
        if (!Ops.isSupported(n.opType()) && !org.featviz.passes.FoldShapes.folds(n.opType()))
          unsupported.add(n.opType());
      if (!unsupported.isEmpty()) {
        return new ConformanceCase(
            name, ConformanceCase.Status.UNSUPPORTED, "op " + String.join(", ", unsupported));
      }
      ShapeInference.checkInt64Initializers(
          imported); // an int64 weight is unsupported, not a failure
      List<Path> sets = dataSets(dir);
      if (sets.isEmpty())
        return new ConformanceCase(name, ConformanceCase.Status.FAIL, "no test_data_set_N folder");
      String worst = "";
      for (Path set : sets) {
        String problem = runDataSet(imported, set, backend);
        if (problem != null) worst = set.getFileName() + ": " + problem;
      }
      return worst.isEmpty()
          ? new ConformanceCase(name, ConformanceCase.Status.PASS, "")
          : new ConformanceCase(name, ConformanceCase.Status.FAIL, worst);
    } catch (UnsupportedException e) {
      return new ConformanceCase(name, ConformanceCase.Status.UNSUPPORTED, e.getMessage());
    } catch (ModelException e) {
      return new ConformanceCase(name, ConformanceCase.Status.FAIL, e.getMessage());
    } catch (RuntimeException e) {
      return new ConformanceCase(name, ConformanceCase.Status.FAIL, e.toString());
    }
  }

  /**
   * Runs one data set; returns null when every output matches, else a description of the worst
   * mismatch.
   */
  private static String runDataSet(Graph imported, Path set, ConformanceBackend backend) {
    List<ValueInfo> inputs = imported.inputs();
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    Map<String, Tensor> constants = new LinkedHashMap<>(imported.initializers());
    List<ValueInfo> floatInputs = new ArrayList<>();
    Set<String> int64Inputs = new HashSet<>();
    for (int k = 0; k < inputs.size(); k++) {
      ValueInfo in = inputs.get(k);
      Path file = set.resolve("input_" + k + ".pb");
      if (!Files.exists(file)) continue; // an optional input the case leaves out
      Tensor t = OnnxTensors.readPb(file);
      if (in.dtype() == null || in.dtype() == DType.BOOL)
        throw new UnsupportedException("input '" + in.name() + "' is " + in.typeName());
      if (t.dtype() == DType.INT64) {
        constants.put(
            in.name(), t); // shape-like inputs (Reshape's shape, Pad's pads) act as constants
        int64Inputs.add(in.name());
      } else if (onlyShapeLike(imported, in.name())) {
        constants.put(in.name(), t); // float shape-like inputs too (Resize's scales)
      } else {
        feeds.put(in.name(), t);
        floatInputs.add(ValueInfo.of(in.name(), t.shape()));
      }
    }
    for (Node n : imported.nodes()) {
      // Shape arithmetic on constants alone (int64 Max, Gather on a shape) folds: not float data.
      if (org.featviz.passes.FoldShapes.folds(n.opType())
          && n.inputs().stream().allMatch(i -> i.isEmpty() || constants.containsKey(i))) continue;
      int k = Ops.int64DataInput(n, int64Inputs::contains);
      if (k >= 0) {
        throw new UnsupportedOpException(
            n,
            imported.opset(),
            "input "
                + k
                + " is the int64 graph input '"
                + n.input(k)
                + "'; featviz computes in float32 and reads int64 only as shape inputs (Reshape's shape,"
                + " Pad's pads)");
      }
    }
    Graph g =
        new Graph(
            imported.source(),
            imported.opset(),
            floatInputs,
            imported.outputs(),
            imported.nodes(),
            constants,
            imported.metadata(),
            Map.of());
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (ValueInfo v : floatInputs) shapes.put(v.name(), Shape.of(v.dims()));
    // Shape arithmetic folds with the cases' static input shapes, as a model's does at import.
    g = org.featviz.passes.FoldShapes.apply(Prepare.simplify(g), shapes, true);
    g = ShapeInference.infer(g, shapes);
    Map<String, Tensor> values = backend.forward(g, feeds, g.outputs());
    String worst = null;
    double worstExcess = 0;
    for (int k = 0; k < g.outputs().size(); k++) {
      Path file = set.resolve("output_" + k + ".pb");
      if (!Files.exists(file)) continue;
      Tensor expected = OnnxTensors.readPb(file);
      String outName = g.outputs().get(k);
      Tensor actual =
          values.containsKey(outName) ? values.get(outName) : g.initializers().get(outName);
      if (actual == null) return "output '" + outName + "' was not computed";
      if (!actual.shape().equals(expected.shape())) {
        return "output " + k + " has shape " + actual.shape() + ", expected " + expected.shape();
      }
      float[] e = expected.dtype() != DType.FLOAT ? toFloats(expected.longs()) : expected.data();
      float[] a = actual.dtype() != DType.FLOAT ? toFloats(actual.longs()) : actual.data();
      for (int i = 0; i < e.length; i++) {
        boolean bothNaN = Float.isNaN(e[i]) && Float.isNaN(a[i]);
        double err = Math.abs((double) a[i] - e[i]);
        double excess =
            bothNaN
                ? 0
                : (Double.isNaN(err)
                    ? Double.POSITIVE_INFINITY
                    : err / (ATOL + RTOL * Math.abs(e[i])));
        if (excess > 1 && excess > worstExcess) {
          worstExcess = excess;
          worst =
              String.format(
                  "output %d [%d]: expected %.7g, got %.7g (error %.3g)", k, i, e[i], a[i], err);
        }
      }
    }
    return worst;
  }

  /**
   * Whether every read of the value is by a shape-like input of a supported op ({@link
   * org.featviz.ops.OpSpec#constantInputs}, such as Resize's scales), so that it can be a constant.
   */
  private static boolean onlyShapeLike(Graph g, String name) {
    boolean read = false;
    for (Node n : g.nodes()) {
      for (int i = 0; i < n.inputs().size(); i++) {
        if (!n.input(i).equals(name)) continue;
        if (!Ops.isSupported(n.opType())) return false;
        boolean shapeLike = false;
        for (int k : Ops.spec(n, g.opset()).constantInputs()) shapeLike |= k == i;
        if (!shapeLike) return false;
        read = true;
      }
    }
    return read;
  }

  private static float[] toFloats(long[] l) {
    float[] f = new float[l.length];
    for (int i = 0; i < l.length; i++) f[i] = l[i];
    return f;
  }

  private static List<Path> dataSets(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(
              p -> p.getFileName().toString().startsWith("test_data_set_") && Files.isDirectory(p))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new ModelException(dir + ": cannot list: " + e.getMessage(), e);
    }
  }

  /**
   * Case folders under each argument: the argument itself if it holds model.onnx, else its
   * sub-folders that do. An argument with no case (a mistyped folder, a tree of other files) is a
   * {@link ModelException}, not zero cases.
   */
  public static List<Path> findCases(List<Path> roots) {
    List<Path> cases = new ArrayList<>();
    for (Path root : roots) {
      if (Files.exists(root.resolve("model.onnx"))) {
        cases.add(root);
        continue;
      }
      if (!Files.isDirectory(root)) throw new ModelException(root + ": not a directory");
      List<Path> found;
      try (Stream<Path> s = Files.list(root)) {
        found = s.filter(p -> Files.exists(p.resolve("model.onnx"))).sorted().toList();
      } catch (IOException e) {
        throw new ModelException(root + ": cannot list: " + e.getMessage(), e);
      }
      if (found.isEmpty()) {
        throw new ModelException(
            "no ONNX test cases (folders with model.onnx and test_data_set_N) under " + root);
      }
      cases.addAll(found);
    }
    return cases;
  }
}
