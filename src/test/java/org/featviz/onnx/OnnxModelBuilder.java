package org.featviz.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ONNX models by hand, as serialized ModelProto bytes, so that tests can build exactly
 * the model they need (an unsupported op, a dynamic dimension, a malformed initializer) without
 * Python or model files. Field numbers follow onnx/onnx.proto; the defaults (IR version 8,
 * default-domain opset 13) pass the ONNX checker.
 *
 * <pre>
 * byte[] model = new OnnxModelBuilder()
 *     .input("x", "N", 3, 8, 8)                     // float32, symbolic batch
 *     .initializer("w", new long[] {4, 3, 3, 3}, weights)
 *     .node("Conv", "conv1", List.of("x", "w"), List.of("y"), Attr.ints("kernel_shape", 3, 3))
 *     .output("y", "N", 4, 6, 6)
 *     .build();
 * </pre>
 */
public final class OnnxModelBuilder {
  /** TensorProto.DataType codes. */
  public static final int FLOAT = 1;

  public static final int INT32 = 6;
  public static final int INT64 = 7;
  public static final int DOUBLE = 11;

  // ModelProto
  private static final int MODEL_IR_VERSION = 1;
  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET_IMPORT = 8;
  // OperatorSetIdProto
  private static final int OPSET_DOMAIN = 1;
  private static final int OPSET_VERSION = 2;
  // GraphProto
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_NAME = 2;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  // NodeProto
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int NODE_DOMAIN = 7;
  // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, TensorShapeProto.Dimension
  private static final int VALUE_INFO_NAME = 1;
  private static final int VALUE_INFO_TYPE = 2;
  private static final int TYPE_TENSOR_TYPE = 1;
  private static final int TENSOR_TYPE_ELEM_TYPE = 1;
  private static final int TENSOR_TYPE_SHAPE = 2;
  private static final int SHAPE_DIM = 1;
  private static final int DIM_VALUE = 1;
  private static final int DIM_PARAM = 2;
  // TensorProto
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_FLOAT_DATA = 4;
  private static final int TENSOR_INT64_DATA = 7;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int TENSOR_DOUBLE_DATA = 10;

  private long irVersion = 8;
  private String graphName = "test_graph";
  private final List<ProtoWriter> opsets = new ArrayList<>();
  private final List<ProtoWriter> nodes = new ArrayList<>();
  private final List<byte[]> initializers = new ArrayList<>();
  private final List<ProtoWriter> inputs = new ArrayList<>();
  private final List<ProtoWriter> outputs = new ArrayList<>();

  public OnnxModelBuilder irVersion(long version) {
    irVersion = version;
    return this;
  }

  public OnnxModelBuilder graphName(String name) {
    graphName = name;
    return this;
  }

  /** Imports a version of the default ONNX opset; without any call, opset 13 is imported. */
  public OnnxModelBuilder opset(long version) {
    return opset("", version);
  }

  public OnnxModelBuilder opset(String domain, long version) {
    opsets.add(new ProtoWriter().string(OPSET_DOMAIN, domain).varint(OPSET_VERSION, version));
    return this;
  }

  /**
   * A float32 graph input. Each dimension is a number (dim_value) or a string (dim_param, a
   * symbolic dimension); with no dimensions the input has a scalar shape.
   */
  public OnnxModelBuilder input(String name, Object... dims) {
    return typedInput(name, FLOAT, dims);
  }

  /** A graph input of another element type (a TensorProto.DataType code). */
  public OnnxModelBuilder typedInput(String name, int elemType, Object... dims) {
    inputs.add(valueInfo(name, elemType, shape(dims)));
    return this;
  }

  /** A float32 graph input whose type has no shape at all. */
  public OnnxModelBuilder inputWithoutShape(String name) {
    inputs.add(valueInfo(name, FLOAT, null));
    return this;
  }

  /**
   * A float32 graph output, dimensions as for {@link #input}. The ONNX checker requires a shape on
   * the main graph's inputs and outputs; symbolic dimensions are enough.
   */
  public OnnxModelBuilder output(String name, Object... dims) {
    outputs.add(valueInfo(name, FLOAT, shape(dims)));
    return this;
  }

  /** A float32 graph output whose type has no shape (which the checker rejects). */
  public OnnxModelBuilder outputWithoutShape(String name) {
    outputs.add(valueInfo(name, FLOAT, null));
    return this;
  }

  /** A float32 initializer with its values in float_data. */
  public OnnxModelBuilder initializer(String name, long[] dims, float... values) {
    return initializer(floatTensor(name, dims, values));
  }

  /** An initializer given as serialized TensorProto bytes (see the static tensor writers). */
  public OnnxModelBuilder initializer(byte[] tensorProto) {
    initializers.add(tensorProto);
    return this;
  }

  public OnnxModelBuilder node(
      String opType, String name, List<String> in, List<String> out, Attr... attrs) {
    return node("", opType, name, in, out, attrs);
  }

  /** A node of another domain than the default ONNX one (import that domain's opset too). */
  public OnnxModelBuilder node(
      String domain, String opType, String name, List<String> in, List<String> out, Attr... attrs) {
    ProtoWriter n = new ProtoWriter();
    for (String i : in) n.string(NODE_INPUT, i);
    for (String o : out) n.string(NODE_OUTPUT, o);
    n.string(NODE_NAME, name).string(NODE_OP_TYPE, opType);
    if (!domain.isEmpty()) n.string(NODE_DOMAIN, domain);
    for (Attr a : attrs) n.bytes(NODE_ATTRIBUTE, a.bytes());
    nodes.add(n);
    return this;
  }

  /** The serialized ModelProto. */
  public byte[] build() {
    ProtoWriter graph = new ProtoWriter();
    for (ProtoWriter n : nodes) graph.message(GRAPH_NODE, n);
    graph.string(GRAPH_NAME, graphName);
    for (byte[] t : initializers) graph.bytes(GRAPH_INITIALIZER, t);
    for (ProtoWriter v : inputs) graph.message(GRAPH_INPUT, v);
    for (ProtoWriter v : outputs) graph.message(GRAPH_OUTPUT, v);
    ProtoWriter model = new ProtoWriter().varint(MODEL_IR_VERSION, irVersion);
    List<ProtoWriter> imports =
        opsets.isEmpty()
            ? List.of(new ProtoWriter().string(OPSET_DOMAIN, "").varint(OPSET_VERSION, 13))
            : opsets;
    for (ProtoWriter o : imports) model.message(MODEL_OPSET_IMPORT, o);
    return model.message(MODEL_GRAPH, graph).toByteArray();
  }

  public Path write(Path file) {
    try {
      return Files.write(file, build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- TensorProto writers, for initializers, tensor attributes and .pb test data ----

  /** A float32 TensorProto with its values in (packed) float_data. */
  public static byte[] floatTensor(String name, long[] dims, float... values) {
    return tensorHeader(name, FLOAT, dims).packedFloats(TENSOR_FLOAT_DATA, values).toByteArray();
  }

  /**
   * A float32 TensorProto with its values in raw_data (little-endian), as exporters usually write
   * them.
   */
  public static byte[] rawFloatTensor(String name, long[] dims, float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) b.putFloat(v);
    return tensorHeader(name, FLOAT, dims).bytes(TENSOR_RAW_DATA, b.array()).toByteArray();
  }

  public static byte[] int64Tensor(String name, long[] dims, long... values) {
    return tensorHeader(name, INT64, dims).packedVarints(TENSOR_INT64_DATA, values).toByteArray();
  }

  /** A float64 TensorProto, values in double_data (unpacked; parsers accept both encodings). */
  public static byte[] doubleTensor(String name, long[] dims, double... values) {
    ProtoWriter t = tensorHeader(name, DOUBLE, dims);
    for (double v : values) t.float64(TENSOR_DOUBLE_DATA, v);
    return t.toByteArray();
  }

  private static ProtoWriter tensorHeader(String name, int dataType, long[] dims) {
    ProtoWriter t = new ProtoWriter();
    for (long d : dims) t.varint(TENSOR_DIMS, d);
    t.varint(TENSOR_DATA_TYPE, dataType);
    if (!name.isEmpty()) t.string(TENSOR_NAME, name);
    return t;
  }

  private static ProtoWriter shape(Object[] dims) {
    ProtoWriter s = new ProtoWriter();
    for (Object d : dims) {
      ProtoWriter dim = new ProtoWriter();
      if (d instanceof Number n) dim.varint(DIM_VALUE, n.longValue());
      else if (d instanceof String p) dim.string(DIM_PARAM, p);
      else throw new IllegalArgumentException("dimension must be a number or a string: " + d);
      s.message(SHAPE_DIM, dim);
    }
    return s;
  }

  private static ProtoWriter valueInfo(String name, int elemType, ProtoWriter shape) {
    ProtoWriter tensorType = new ProtoWriter().varint(TENSOR_TYPE_ELEM_TYPE, elemType);
    if (shape != null) tensorType.message(TENSOR_TYPE_SHAPE, shape);
    ProtoWriter type = new ProtoWriter().message(TYPE_TENSOR_TYPE, tensorType);
    return new ProtoWriter().string(VALUE_INFO_NAME, name).message(VALUE_INFO_TYPE, type);
  }

  /** A node attribute (AttributeProto): name, type discriminator and one value field. */
  public static final class Attr {
    // AttributeProto fields
    private static final int NAME = 1;
    private static final int F = 2;
    private static final int I = 3;
    private static final int S = 4;
    private static final int T = 5;
    private static final int FLOATS = 7;
    private static final int INTS = 8;
    private static final int TYPE = 20;
    // AttributeProto.AttributeType
    private static final int TYPE_FLOAT = 1;
    private static final int TYPE_INT = 2;
    private static final int TYPE_STRING = 3;
    private static final int TYPE_TENSOR = 4;
    private static final int TYPE_FLOATS = 6;
    private static final int TYPE_INTS = 7;

    private final ProtoWriter proto;

    private Attr(String name, int type) {
      proto = new ProtoWriter().string(NAME, name).varint(TYPE, type);
    }

    public static Attr f(String name, float value) {
      Attr a = new Attr(name, TYPE_FLOAT);
      a.proto.float32(F, value);
      return a;
    }

    public static Attr i(String name, long value) {
      Attr a = new Attr(name, TYPE_INT);
      a.proto.varint(I, value);
      return a;
    }

    public static Attr s(String name, String value) {
      Attr a = new Attr(name, TYPE_STRING);
      a.proto.string(S, value);
      return a;
    }

    /** A tensor attribute from serialized TensorProto bytes. */
    public static Attr t(String name, byte[] tensorProto) {
      Attr a = new Attr(name, TYPE_TENSOR);
      a.proto.bytes(T, tensorProto);
      return a;
    }

    /** Repeated floats, unpacked as the ONNX writers emit them (parsers accept both forms). */
    public static Attr floats(String name, float... values) {
      Attr a = new Attr(name, TYPE_FLOATS);
      for (float v : values) a.proto.float32(FLOATS, v);
      return a;
    }

    public static Attr ints(String name, long... values) {
      Attr a = new Attr(name, TYPE_INTS);
      for (long v : values) a.proto.varint(INTS, v);
      return a;
    }

    byte[] bytes() {
      return proto.toByteArray();
    }
  }
}
