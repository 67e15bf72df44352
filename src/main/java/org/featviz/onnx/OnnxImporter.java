package org.featviz.onnx;

import static org.bytedeco.onnx.global.onnx.ParseProtoFromBytes;
import static org.bytedeco.onnx.global.onnx.check_model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.onnx.AttributeProto;
import org.bytedeco.onnx.GraphProto;
import org.bytedeco.onnx.ModelProto;
import org.bytedeco.onnx.NodeProto;
import org.bytedeco.onnx.OperatorSetIdProto;
import org.bytedeco.onnx.TensorProto;
import org.bytedeco.onnx.TensorShapeProto;
import org.bytedeco.onnx.TypeProto;
import org.bytedeco.onnx.ValueInfoProto;
import org.featviz.ir.Attributes;
import org.featviz.ir.DType;
import org.featviz.ir.Graph;
import org.featviz.ir.ModelException;
import org.featviz.ir.Node;
import org.featviz.ir.Tensor;
import org.featviz.ir.UnsupportedException;
import org.featviz.ir.ValueInfo;

/**
 * Reads an ONNX file into featviz's {@link Graph}: parses it with the ONNX reference library, runs
 * the ONNX checker there, and copies what featviz needs into its own IR. No JavaCPP object leaves
 * this class. Shapes are not resolved here (see {@code ops.ShapeInference}); every failure is a
 * {@link ModelException} that names the file.
 *
 * <p>ONNX's own shape inference ({@code InferShapes}) is deliberately not run: featviz never reads
 * its results, the binding runs it in a mode that swallows inference errors, and its per-op
 * inference code trusts attributes the checker does not validate, so a corrupt model crashed the
 * whole JVM inside it (onnx 1.17: SIGFPE on a Conv with strides 0, SIGSEGV on a Conv whose weight
 * rank differs from its input rank; found by OnnxImporterFuzzTest).
 */
public final class OnnxImporter {
  private OnnxImporter() {}

  public static Graph read(Path file) {
    byte[] bytes;
    try {
      if (Files.isDirectory(file))
        throw new ModelException(file + ": is a directory, not an ONNX file");
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ModelException(file + ": no such file");
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
    }
    return read(bytes, file.toString());
  }

  /** Imports a serialized ModelProto; {@code source} names it in messages. */
  public static Graph read(byte[] bytes, String source) {
    if (bytes.length == 0) throw new ModelException(source + ": empty file, not an ONNX model");
    try (ModelProto model = new ModelProto();
        BytePointer buffer = new BytePointer(bytes)) {
      if (!ParseProtoFromBytes(model, buffer, bytes.length)) {
        throw new ModelException(
            source
                + ": not an ONNX model (the protobuf could not be parsed; is the file"
                + " truncated or corrupt?)");
      }
      if (!model.has_graph() || model.graph().node_size() == 0) {
        throw new ModelException(source + ": not an ONNX model (no graph or no nodes)");
      }
      requireShapes(model.graph(), source);
      try {
        check_model(model);
      } catch (RuntimeException e) {
        throw new ModelException(
            source + ": the ONNX checker rejected the model: " + firstLine(e), e);
      }
      return convert(model, source);
    } catch (ModelException e) {
      throw e;
    } catch (RuntimeException e) {
      // Anything else (malformed sizes, values out of range) is still a bad file, not a featviz bug
      // to crash on.
      throw new ModelException(source + ": invalid ONNX model: " + firstLine(e), e);
    }
  }

  /**
   * The checker requires a shape on every tensor input and output of the main graph but does not
   * say which value lacks one; this check runs first and names it.
   */
  private static void requireShapes(GraphProto g, String source) {
    for (int i = 0; i < g.input_size(); i++) requireShape(g.input(i), "input", source);
    for (int i = 0; i < g.output_size(); i++) requireShape(g.output(i), "output", source);
  }

  private static void requireShape(ValueInfoProto v, String kind, String source) {
    if (v.has_type()
        && v.type().value_case() == TypeProto.kTensorType
        && !v.type().tensor_type().has_shape()) {
      throw new ModelException(
          source
              + ": graph "
              + kind
              + " '"
              + str(v.name())
              + "' has no shape; ONNX requires"
              + " one on graph inputs and outputs (symbolic dimensions such as 'N' are allowed)");
    }
  }

  private static Graph convert(ModelProto model, String source) {
    int opset = -1;
    for (int i = 0; i < model.opset_import_size(); i++) {
      OperatorSetIdProto id = model.opset_import(i);
      String domain = str(id.domain());
      if (domain.isEmpty() || domain.equals("ai.onnx")) opset = (int) id.version();
    }
    if (opset < 0) {
      throw new UnsupportedException(
          source
              + ": the model imports no version of the default ONNX opset (only"
              + " other domains' ops, which featviz does not support)");
    }

    Map<String, String> metadata = new LinkedHashMap<>();
    for (int i = 0; i < model.metadata_props_size(); i++) {
      metadata.put(str(model.metadata_props(i).key()), str(model.metadata_props(i).value()));
    }

    GraphProto g = model.graph();
    Map<String, Tensor> initializers = new LinkedHashMap<>();
    for (int i = 0; i < g.initializer_size(); i++) {
      TensorProto t = g.initializer(i);
      String name = str(t.name());
      initializers.put(name, OnnxTensors.toTensor(t, source + ": initializer '" + name + "'"));
    }
    List<ValueInfo> inputs = new ArrayList<>();
    for (int i = 0; i < g.input_size(); i++) {
      ValueInfoProto v = g.input(i);
      String name = str(v.name());
      if (!initializers.containsKey(name)) inputs.add(valueInfo(v, source));
    }
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < g.output_size(); i++) outputs.add(str(g.output(i).name()));

    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < g.node_size(); i++) nodes.add(node(g.node(i), source));
    return new Graph(
        source,
        opset,
        inputs,
        outputs,
        sortTopologically(nodes, inputs, initializers, source),
        initializers,
        metadata,
        Map.of());
  }

  private static ValueInfo valueInfo(ValueInfoProto v, String source) {
    String name = str(v.name());
    if (!v.has_type() || v.type().value_case() != TypeProto.kTensorType) {
      throw new UnsupportedException(
          source
              + ": graph input '"
              + name
              + "' is not a tensor (sequences, maps and"
              + " optionals are not supported)");
    }
    int elem = v.type().tensor_type().elem_type();
    long[] dims = new long[0];
    if (v.type().tensor_type().has_shape()) {
      TensorShapeProto s = v.type().tensor_type().shape();
      dims = new long[s.dim_size()];
      for (int d = 0; d < dims.length; d++) {
        dims[d] = s.dim(d).has_dim_value() && s.dim(d).dim_value() > 0 ? s.dim(d).dim_value() : -1;
      }
    } else {
      throw new ModelException(
          source
              + ": graph input '"
              + name
              + "' declares no shape, not even its rank;"
              + " export the model with its input's shape (dynamic sizes are fine: they are given when it is opened)");
    }
    return new ValueInfo(name, DType.fromOnnx(elem), DType.onnxName(elem), dims);
  }

  private static Node node(NodeProto n, String source) {
    String domain = str(n.domain());
    String op = str(n.op_type());
    if (!domain.isEmpty() && !domain.equals("ai.onnx")) op = domain + "." + op;
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < n.input_size(); i++) inputs.add(str(n.input(i)));
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < n.output_size(); i++) outputs.add(str(n.output(i)));
    String name = str(n.name());
    String where =
        source
            + ": "
            + op
            + " node '"
            + (name.isEmpty() && !outputs.isEmpty() ? outputs.get(0) : name)
            + "'";
    Map<String, Object> attrs = new LinkedHashMap<>();
    for (int i = 0; i < n.attribute_size(); i++) {
      AttributeProto a = n.attribute(i);
      Object value = attributeValue(a, where);
      if (value != null) attrs.put(str(a.name()), value);
    }
    return new Node(name, op, inputs, outputs, new Attributes(attrs));
  }

  /**
   * The attribute's value as featviz stores it, or null for kinds featviz never reads (graphs, type
   * protos).
   */
  private static Object attributeValue(AttributeProto a, String where) {
    int type = a.type();
    if (type == AttributeProto.INT) return a.i();
    if (type == AttributeProto.FLOAT) return a.f();
    if (type == AttributeProto.STRING) return str(a.s());
    if (type == AttributeProto.TENSOR)
      return OnnxTensors.toTensor(a.t(), where + " attribute '" + str(a.name()) + "'");
    if (type == AttributeProto.INTS) {
      long[] v = new long[a.ints_size()];
      for (int i = 0; i < v.length; i++) v[i] = a.ints(i);
      return v;
    }
    if (type == AttributeProto.FLOATS) {
      float[] v = new float[a.floats_size()];
      for (int i = 0; i < v.length; i++) v[i] = a.floats(i);
      return v;
    }
    if (type == AttributeProto.STRINGS) {
      String[] v = new String[a.strings_size()];
      for (int i = 0; i < v.length; i++) v[i] = str(a.strings(i));
      return v;
    }
    return null;
  }

  /**
   * ONNX requires topological order, but says so only in prose: re-sort, and name the cycle if
   * there is one.
   */
  private static List<Node> sortTopologically(
      List<Node> nodes, List<ValueInfo> inputs, Map<String, Tensor> initializers, String source) {
    Set<String> known = new HashSet<>(initializers.keySet());
    for (ValueInfo v : inputs) known.add(v.name());
    known.add("");
    List<Node> sorted = new ArrayList<>();
    List<Node> pending = new ArrayList<>(nodes);
    while (!pending.isEmpty()) {
      boolean progress = false;
      for (var it = pending.iterator(); it.hasNext(); ) {
        Node n = it.next();
        if (known.containsAll(n.inputs())) {
          sorted.add(n);
          known.addAll(n.outputs());
          it.remove();
          progress = true;
        }
      }
      if (!progress) {
        Node n = pending.get(0);
        List<String> missing = new ArrayList<>(n.inputs());
        missing.removeAll(known);
        throw new ModelException(
            source
                + ": "
                + n.describe()
                + " reads "
                + missing
                + ", which no node, input or initializer provides (or the graph has a cycle)");
      }
    }
    return sorted;
  }

  static String str(BytePointer p) {
    return p == null ? "" : p.getString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String firstLine(RuntimeException e) {
    String m = String.valueOf(e.getMessage()).strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
