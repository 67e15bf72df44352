package org.featviz.device;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The parameter types of one kernel, as the emulator's kernel table or a PTX {@code .entry}
 * declares them. Devices check every launch against it, so a call with too few or mistyped
 * arguments is an exception naming the kernel instead of a kernel reading garbage.
 */
public record KernelSignature(String kernel, List<Param> params) {
  /** A parameter type. PTX does not tell a pointer from a 64-bit integer, hence {@code B64}. */
  public enum Param {
    PTR("ptr"),
    I32("i32"),
    F32("f32"),
    I64("i64"),
    B64("ptr|i64");

    private final String text;

    Param(String text) {
      this.text = text;
    }

    public boolean accepts(KernelArgs.Kind kind) {
      return switch (this) {
        case PTR -> kind == KernelArgs.Kind.PTR;
        case I32 -> kind == KernelArgs.Kind.I32;
        case F32 -> kind == KernelArgs.Kind.F32;
        case I64 -> kind == KernelArgs.Kind.I64;
        case B64 -> kind == KernelArgs.Kind.PTR || kind == KernelArgs.Kind.I64;
      };
    }

    @Override
    public String toString() {
      return text;
    }
  }

  public KernelSignature {
    params = List.copyOf(params);
  }

  /** From the emulator's tags: p pointer, i 32-bit int, f float, l 64-bit int. */
  public static KernelSignature fromTags(String kernel, String tags) {
    List<Param> params = new ArrayList<>();
    for (char c : tags.toCharArray()) {
      params.add(
          switch (c) {
            case 'p' -> Param.PTR;
            case 'i' -> Param.I32;
            case 'f' -> Param.F32;
            case 'l' -> Param.I64;
            default ->
                throw new IllegalArgumentException(
                    "kernel '" + kernel + "': unknown parameter tag '" + c + "'");
          });
    }
    return new KernelSignature(kernel, params);
  }

  /**
   * Throws IllegalArgumentException, naming the kernel, unless the arguments match the parameters
   * one by one.
   */
  public void check(KernelArgs args) {
    boolean ok = args.size() == params.size();
    for (int i = 0; ok && i < params.size(); i++) ok = params.get(i).accepts(args.kind(i));
    if (!ok) {
      throw new IllegalArgumentException(
          "kernel '"
              + kernel
              + "' takes "
              + params.size()
              + " arguments "
              + describe()
              + " but was given "
              + args.size()
              + " "
              + args.describeKinds());
    }
  }

  /** The parameter types in parentheses, e.g. "(ptr, ptr, i32, i32)". */
  public String describe() {
    StringJoiner out = new StringJoiner(", ", "(", ")");
    for (Param p : params) out.add(p.toString());
    return out.toString();
  }
}
