package org.featviz.cli;

import java.util.List;
import org.featviz.Model;

/** The models of a command's workers (one per device of --devices), closed together. */
record WorkerModels(List<Model> models) implements AutoCloseable {
  /** Closes every model, whatever fails; the first failure is thrown, the others suppressed. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (Model m : models) {
      try {
        m.close();
      } catch (RuntimeException e) {
        if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    if (first != null) throw first;
  }
}
