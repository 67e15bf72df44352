package org.featviz.cpu;

import org.featviz.ir.Shape;
import org.featviz.ops.Broadcast;

/**
 * Add, Sub, Mul, Div and PRelu (a = x, b = the slope, which broadcasts to x) with multidirectional
 * (numpy) broadcasting: y[o] = f(a[ia(o)], b[ib(o)]), where ia and ib map each output element to
 * the operand elements that broadcast to it. Backward: da[ia(o)] += dy[o] df/da and db[ib(o)] +=
 * dy[o] df/db, which sums the gradient over each operand's broadcast dimensions.
 */
final class ArithmeticRef implements CpuKernel {
  /** The ops with their partial derivatives. */
  enum Op {
    ADD {
      float apply(float a, float b) {
        return a + b;
      }

      double dA(float a, float b) {
        return 1;
      }

      double dB(float a, float b) {
        return 1;
      }
    },
    SUB {
      float apply(float a, float b) {
        return a - b;
      }

      double dA(float a, float b) {
        return 1;
      }

      double dB(float a, float b) {
        return -1;
      }
    },
    MUL {
      float apply(float a, float b) {
        return a * b;
      }

      double dA(float a, float b) {
        return b;
      }

      double dB(float a, float b) {
        return a;
      }
    },
    DIV {
      float apply(float a, float b) {
        return a / b;
      }

      double dA(float a, float b) {
        return 1.0 / b;
      }

      double dB(float a, float b) {
        return -(double) a / ((double) b * b);
      }
    },
    /** b a where a < 0, else a; at a = 0 the derivative of the a piece (1, and 0 for b). */
    PRELU {
      float apply(float a, float b) {
        return a < 0 ? b * a : a;
      }

      double dA(float a, float b) {
        return a < 0 ? b : 1;
      }

      double dB(float a, float b) {
        return a < 0 ? a : 0;
      }
    };

    abstract float apply(float a, float b);

    abstract double dA(float a, float b);

    abstract double dB(float a, float b);
  }

  private final Op op;

  ArithmeticRef(Op op) {
    this.op = op;
  }

  @Override
  public void forward(KernelCall c) {
    Shape out = c.out(0).shape();
    float[] a = c.in(0).data();
    float[] b = c.in(1).data();
    int[] ia = Broadcast.sourceIndices(c.in(0).shape(), out);
    int[] ib = Broadcast.sourceIndices(c.in(1).shape(), out);
    float[] y = c.out(0).data();
    for (int o = 0; o < y.length; o++) y[o] = op.apply(a[ia[o]], b[ib[o]]);
  }

  @Override
  public void backward(KernelCall c) {
    if (c.gradOut(0) == null) return;
    Shape out = c.gradOut(0).shape();
    float[] a = c.in(0).data();
    float[] b = c.in(1).data();
    float[] dy = c.gradOut(0).data();
    int[] ia = Broadcast.sourceIndices(c.in(0).shape(), out);
    int[] ib = Broadcast.sourceIndices(c.in(1).shape(), out);
    // Reductions over broadcast dimensions accumulate in double.
    double[] da = c.gradIn(0) != null ? new double[a.length] : null;
    double[] db = c.gradIn(1) != null ? new double[b.length] : null;
    for (int o = 0; o < dy.length; o++) {
      float av = a[ia[o]];
      float bv = b[ib[o]];
      if (da != null) da[ia[o]] += dy[o] * op.dA(av, bv);
      if (db != null) db[ib[o]] += dy[o] * op.dB(av, bv);
    }
    if (da != null) addInto(c.gradIn(0).data(), da);
    if (db != null) addInto(c.gradIn(1).data(), db);
  }

  private static void addInto(float[] target, double[] values) {
    for (int i = 0; i < target.length; i++) target[i] += (float) values[i];
  }
}
