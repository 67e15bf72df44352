package org.featviz.cpu;

import java.util.HashMap;
import java.util.Map;
import org.featviz.ir.Node;
import org.featviz.ops.UnsupportedOpException;

/** The CPU kernel for each supported op type. */
public final class CpuKernels {
  private static final Map<String, CpuKernel> KERNELS = new HashMap<>();

  static {
    register(new IdentityRef(), "Identity", "Dropout");
    // -- spatial ops (convolution, pooling, normalization, padding) --
    // -- elementwise, linear algebra and shape ops --
    register(new ReluRef(), "Relu");
  }

  private CpuKernels() {}

  static void register(CpuKernel kernel, String... opTypes) {
    for (String op : opTypes) KERNELS.put(op, kernel);
  }

  public static boolean has(String opType) {
    return KERNELS.containsKey(opType);
  }

  public static CpuKernel forNode(Node node, int opset) {
    CpuKernel k = KERNELS.get(node.opType());
    if (k == null) throw new UnsupportedOpException(node, opset, "no CPU kernel");
    return k;
  }
}
