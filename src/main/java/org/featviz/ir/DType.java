package org.featviz.ir;

/**
 * Element types featviz computes with: float32 data, int64 for shape-like tensors (Reshape, Pad),
 * and bool for the comparisons of shape arithmetic that {@code passes.FoldShapes} folds at import.
 * int64 and bool tensors never reach a float kernel.
 */
public enum DType {
  FLOAT(1, "float32"),
  INT64(7, "int64"),
  BOOL(9, "bool");

  private final int onnxCode;
  private final String displayName;

  DType(int onnxCode, String displayName) {
    this.onnxCode = onnxCode;
    this.displayName = displayName;
  }

  /**
   * The DType for an ONNX TensorProto.DataType code, or null where featviz does not compute with
   * it.
   */
  public static DType fromOnnx(int code) {
    for (DType t : values()) if (t.onnxCode == code) return t;
    return null;
  }

  /** ONNX's name for a data type code, for error messages. */
  public static String onnxName(int code) {
    String[] names = {
      "undefined",
      "float32",
      "uint8",
      "int8",
      "uint16",
      "int16",
      "int32",
      "int64",
      "string",
      "bool",
      "float16",
      "float64",
      "uint32",
      "uint64",
      "complex64",
      "complex128",
      "bfloat16"
    };
    return code >= 0 && code < names.length ? names[code] : "type " + code;
  }

  @Override
  public String toString() {
    return displayName;
  }
}
