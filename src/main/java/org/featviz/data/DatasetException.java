package org.featviz.data;

import org.featviz.ir.ModelException;

/**
 * A dataset that cannot be read: a missing, truncated or malformed file, or files that disagree
 * with each other. The message names the file. It extends {@link ModelException} so that the CLI
 * reports it like every other problem the user can fix (message, no stack trace, non-zero exit).
 */
public class DatasetException extends ModelException {
  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
