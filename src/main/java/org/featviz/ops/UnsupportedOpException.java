package org.featviz.ops;

import org.featviz.ir.Node;
import org.featviz.ir.UnsupportedException;

/** A node whose op (or op variant) featviz cannot compute; the message names the node, op type and opset. */
public final class UnsupportedOpException extends UnsupportedException {
  private final String opType;

  public UnsupportedOpException(Node node, int opset, String detail) {
    super(node.describe() + ": unsupported" + (detail.isEmpty() ? " op" : ": " + detail) + " (op " + node.opType()
        + ", opset " + opset + ")");
    this.opType = node.opType();
  }

  public String opType() {
    return opType;
  }
}
