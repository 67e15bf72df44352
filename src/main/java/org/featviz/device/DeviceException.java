package org.featviz.device;

/**
 * A device operation failed: a CUDA call returned an error, device memory ran out, or an emulated
 * kernel broke a rule of the CUDA execution model (barrier divergence, a warp collective that can
 * never complete). Messages name the call or kernel. Misuse of the API itself (unknown kernel,
 * wrong arguments, closed buffer) throws IllegalArgumentException or IllegalStateException instead.
 */
public class DeviceException extends RuntimeException {
  public DeviceException(String message) {
    super(message);
  }

  public DeviceException(String message, Throwable cause) {
    super(message, cause);
  }
}
