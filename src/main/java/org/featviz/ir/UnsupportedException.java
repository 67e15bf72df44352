package org.featviz.ir;

/**
 * Something valid ONNX that featviz does not compute: an op, an op variant or a data type. Kept
 * apart from other model errors so that tools such as the conformance runner can report it as
 * unsupported rather than failed.
 */
public class UnsupportedException extends ModelException {
  public UnsupportedException(String message) {
    super(message);
  }
}
