package org.featviz.ops;

import java.util.Locale;

/**
 * The elementwise functions of one input that share one CPU reference ({@code cpu.UnaryRef}), one
 * device step and one pair of kernels ({@code unary_forward}, {@code unary_backward} in
 * cuda/pointwise.cu, which number them by {@link #code()}). Each has up to two float parameters p
 * and q ({@link UnarySpec#parameters}). The values here are the CPU reference, computed in double;
 * the backward reads x.
 *
 * <p>At a kink the derivative is that of the piece the forward takes there, and a clamp that sits
 * on its bound passes no gradient, as Relu (dx = 0 at x = 0) and Clip (only strictly inside the
 * bounds) do: HardSigmoid and HardSwish pass none where the clamp is at 0 or 1, Abs none at 0, Elu
 * takes the x piece at 0 (ONNX: x for x >= 0) and Selu the exponential piece (ONNX: x > 0 is
 * linear).
 */
public enum UnaryFunction {
  /** erf(x); d = 2/sqrt(pi) exp(-x^2). */
  ERF("Erf"),
  /** max(0, min(1, p x + q)), p = alpha (0.2), q = beta (0.5). */
  HARD_SIGMOID("HardSigmoid"),
  /** x max(0, min(1, x/6 + 1/2)). */
  HARD_SWISH("HardSwish"),
  EXP("Exp"),
  NEG("Neg"),
  /** |x|; d = sign(x), 0 at 0. */
  ABS("Abs"),
  SQRT("Sqrt"),
  /** x^p for a constant exponent p; d = p x^(p-1), 0 where p = 0. */
  POW("Pow"),
  /** x for x >= 0, p (exp(x) - 1) below, p = alpha (1). */
  ELU("Elu"),
  /** q x for x > 0, q p (exp(x) - 1) otherwise; p = alpha, q = gamma (ONNX's defaults). */
  SELU("Selu"),
  /** log(1 + exp(x)); d = sigmoid(x). */
  SOFTPLUS("Softplus"),
  /** 1 / x; d = -1 / x^2 (LayerNormalization's function body divides by its deviation so). */
  RECIPROCAL("Reciprocal"),
  /** ln x; d = 1 / x (LogSoftmax's function body takes the log of its sum so). */
  LOG("Log");

  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

  private final String opType;

  UnaryFunction(String opType) {
    this.opType = opType;
  }

  /** The ONNX op type. */
  public String opType() {
    return opType;
  }

  /** The op code of cuda/pointwise.cu's unary kernels. */
  public int code() {
    return ordinal();
  }

  /** The function of an ONNX op type, or null where it is none of these. */
  public static UnaryFunction of(String opType) {
    for (UnaryFunction f : values()) if (f.opType.equals(opType)) return f;
    return null;
  }

  /** The op types, for registries. */
  static String[] opTypes() {
    UnaryFunction[] all = values();
    String[] types = new String[all.length];
    for (int i = 0; i < all.length; i++) types[i] = all[i].opType;
    return types;
  }

  /** f(x) with parameters p and q. */
  public double value(double x, double p, double q) {
    return switch (this) {
      case ERF -> erf(x);
      case HARD_SIGMOID -> Math.max(0, Math.min(1, p * x + q));
      case HARD_SWISH -> x * Math.max(0, Math.min(1, x / 6 + 0.5));
      case EXP -> Math.exp(x);
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case SQRT -> Math.sqrt(x);
      case POW -> Math.pow(x, p);
      case ELU -> x >= 0 ? x : p * Math.expm1(x);
      case SELU -> x > 0 ? q * x : q * p * Math.expm1(x);
      case SOFTPLUS -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
      case RECIPROCAL -> 1 / x;
      case LOG -> Math.log(x);
    };
  }

  /** f'(x) with parameters p and q, with the kink conventions of the class comment. */
  public double derivative(double x, double p, double q) {
    return switch (this) {
      case ERF -> TWO_OVER_SQRT_PI * Math.exp(-x * x);
      case HARD_SIGMOID -> {
        double t = p * x + q;
        yield t > 0 && t < 1 ? p : 0;
      }
      case HARD_SWISH -> {
        double t = x / 6 + 0.5;
        yield t >= 1 ? 1 : t > 0 ? x / 3 + 0.5 : 0;
      }
      case EXP -> Math.exp(x);
      case NEG -> -1;
      case ABS -> Math.signum(x);
      case SQRT -> 0.5 / Math.sqrt(x);
      case POW -> p == 0 ? 0 : p * Math.pow(x, p - 1);
      case ELU -> x >= 0 ? 1 : p * Math.exp(x);
      case SELU -> x > 0 ? q : q * p * Math.exp(x);
      case SOFTPLUS -> 1 / (1 + Math.exp(-x));
      case RECIPROCAL -> -1 / (x * x);
      case LOG -> 1 / x;
    };
  }

  /**
   * erf(x) to double precision: its Maclaurin series for |x| <= 3.5, the asymptotic series of erfc
   * beyond (Java has no erf); either loses at most about 1e-11 near the switch.
   */
  static double erf(double x) {
    if (Double.isNaN(x)) return x;
    double a = Math.abs(x);
    if (a <= 3.5) {
      // erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))
      double term = x;
      double sum = x;
      double x2 = x * x;
      for (int n = 1; n < 100 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
        term *= -x2 / n;
        sum += term / (2 * n + 1);
      }
      return TWO_OVER_SQRT_PI * sum;
    }
    // erfc(a) = exp(-a^2) / (a sqrt(pi)) sum_n (-1)^n (2n-1)!! / (2a^2)^n, summed while it shrinks
    double term = 1;
    double sum = 1;
    for (int n = 1; n < 60; n++) {
      double next = -term * (2 * n - 1) / (2 * a * a);
      if (Math.abs(next) >= Math.abs(term)) break;
      term = next;
      sum += term;
    }
    double erfc = Math.exp(-a * a) / (a * Math.sqrt(Math.PI)) * sum;
    return Math.copySign(1 - erfc, x);
  }

  @Override
  public String toString() {
    return opType.toLowerCase(Locale.ROOT);
  }
}
