package org.featviz.device;

/**
 * One call of a {@link UnaryDescriptor}'s operation as every layer of a {@link DeviceLibrary}
 * passes it on: the forward, y = alpha op(x) + beta y (dy and dx null), or the backward, dx = alpha
 * op'(x, y, dy) + beta dx, y being the forward's output for x (x null where the backward does not
 * read it, softmax's).
 */
public record UnaryCall(
    UnaryDescriptor op,
    boolean backward,
    DeviceBuffer x,
    DeviceBuffer y,
    DeviceBuffer dy,
    DeviceBuffer dx,
    float alpha,
    float beta) {
  public static UnaryCall forward(
      UnaryDescriptor op, DeviceBuffer x, DeviceBuffer y, float alpha, float beta) {
    return new UnaryCall(op, false, x, y, null, null, alpha, beta);
  }

  /** The {@link DeviceLibrary} method of this call: poolingForward, activationBackward, ... */
  public String method() {
    return op.operation() + (backward ? "Backward" : "Forward");
  }

  /** The call's name in messages: "pooling forward", "activation backward (RELU)", ... */
  public String name() {
    return op.operation()
        + (backward ? " backward" : " forward")
        + (op instanceof ActivationDescriptor a ? " (" + a.mode() + ")" : "");
  }
}
