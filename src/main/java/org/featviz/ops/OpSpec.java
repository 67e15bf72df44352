package org.featviz.ops;

import java.util.List;
import org.featviz.ir.Shape;

/**
 * What featviz knows about an ONNX op independently of any backend: how its attributes are read and
 * what shapes its outputs have. Backends ({@code cpu}, {@code cuda}) implement the computation.
 */
public interface OpSpec {
  /**
   * The shapes of the node's outputs, in order. Throws {@link org.featviz.ir.ModelException} via
   * ctx.error.
   */
  List<Shape> outputShapes(OpContext ctx);

  /**
   * Indices of inputs whose values must be known before shapes can be inferred (Reshape's shape,
   * Pad's pads). They must be initializers or constant-foldable.
   */
  default int[] constantInputs() {
    return new int[0];
  }
}
