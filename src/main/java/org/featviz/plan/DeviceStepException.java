package org.featviz.plan;

import org.featviz.device.DeviceException;
import org.featviz.ir.Node;

/**
 * A device operation failed while a {@link DevicePlan} step ran: the message names the graph node,
 * its op type, the direction and then the failed call, e.g. {@code "conv3 (Conv) forward:
 * cudnnConvolutionForward(...) failed: CUDNN_STATUS_EXECUTION_FAILED (5000, cuDNN 9)"}, so a CUDA,
 * cuDNN or cuBLAS error points at the model's node and not only at a library call. The original
 * exception is the cause.
 */
public final class DeviceStepException extends DeviceException {
  private final String nodeName;
  private final String opType;
  private final String direction;

  DeviceStepException(Node node, String direction, DeviceException cause) {
    super(label(node) + " (" + node.opType() + ") " + direction + ": " + cause.getMessage(), cause);
    this.nodeName = label(node);
    this.opType = node.opType();
    this.direction = direction;
  }

  /** The node's name, or its first output where it is unnamed. */
  public String nodeName() {
    return nodeName;
  }

  public String opType() {
    return opType;
  }

  /** "forward" or "backward". */
  public String direction() {
    return direction;
  }

  private static String label(Node node) {
    if (!node.name().isEmpty()) return node.name();
    return node.outputs().isEmpty() ? "?" : node.output();
  }
}
