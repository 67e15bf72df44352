package org.featviz.conformance;

/** The outcome of one ONNX backend test case. */
public record ConformanceCase(String name, Status status, String detail) {
  public enum Status {
    PASS,
    FAIL,
    UNSUPPORTED
  }

  @Override
  public String toString() {
    return status + " " + name + (detail.isEmpty() ? "" : ": " + detail);
  }
}
