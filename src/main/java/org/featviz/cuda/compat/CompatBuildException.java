package org.featviz.cuda.compat;

import java.io.IOException;

/**
 * A forwarding library could not be built: no C compiler, a compiler error, or a result that fails
 * its check.
 */
public class CompatBuildException extends IOException {
  private static final long serialVersionUID = 1L;

  public CompatBuildException(String message) {
    super(message);
  }
}
