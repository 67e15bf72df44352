package org.featviz.ops;

import org.featviz.ir.Node;
import org.featviz.ir.UnsupportedException;

/**
 * A node whose op (or op variant) featviz cannot compute; the message names the node, op type and
 * opset.
 */
public final class UnsupportedOpException extends UnsupportedException {
  private final String opType;

  public UnsupportedOpException(Node node, int opset, String detail) {
    this(
        node.describe()
            + ": unsupported"
            + (detail.isEmpty() ? " op" : ": " + detail)
            + " (op "
            + node.opType()
            + ", opset "
            + opset
            + ")",
        node.opType());
  }

  private UnsupportedOpException(String message, String opType) {
    super(message);
    this.opType = opType;
  }

  public String opType() {
    return opType;
  }

  /** The same problem, its message prefixed with the file it was found in. */
  public UnsupportedOpException in(String source) {
    return new UnsupportedOpException(source + ": " + getMessage(), opType);
  }
}
