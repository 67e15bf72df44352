package org.featviz.ir;

/**
 * A problem with a model or its use that the user can fix: a corrupt file, an unsupported op, an
 * unknown layer, a shape that does not fit. Messages name what is wrong (file, node, op, layer,
 * shape); the CLI prints them without a stack trace and exits non-zero.
 */
public class ModelException extends RuntimeException {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
