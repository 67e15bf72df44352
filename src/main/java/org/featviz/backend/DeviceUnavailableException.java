package org.featviz.backend;

import org.featviz.ir.ModelException;

/**
 * A GPU was asked for and none can be used here; the message says why (no driver, no device, a
 * library missing).
 */
public class DeviceUnavailableException extends ModelException {
  public DeviceUnavailableException(String message) {
    super(message);
  }
}
