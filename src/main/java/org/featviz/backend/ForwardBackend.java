package org.featviz.backend;

import java.util.Collection;
import java.util.Map;
import org.featviz.ir.Tensor;

/**
 * A graph opened for forward passes on some backend; closing it frees what it holds (device
 * memory).
 */
public interface ForwardBackend extends AutoCloseable {
  /** Computes the targets from the feeds; returns host tensors by value name. */
  Map<String, Tensor> forward(Map<String, Tensor> feeds, Collection<String> targets);

  /** "cpu", "gpu (NVIDIA H100 ...)" or "emulated": for messages and reports. */
  String describe();

  @Override
  void close();
}
