package org.featviz.cuda.compat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A shared library that impersonates one soname (say {@code libcublas.so.12}) and forwards each of
 * its functions to the same-named function of another library ({@code libcublas.so.13}), so that a
 * JNI native built against the old library runs on a host that only has the new one.
 *
 * <p>Each exported function is a two-instruction assembly trampoline, {@code endbr64; jmp
 * *table[i](%rip)}: it touches no register and no stack slot, so any signature passes through
 * unchanged (register and stack arguments, floating point, struct returns), and the callee returns
 * straight to the original caller. A constructor that runs when the library is loaded opens the
 * first target that loads ({@code dlopen}, in the order given) and fills the table with {@code
 * dlsym(target, name)}. Every entry starts out pointing at a function that returns {@code
 * missingStatus}, and stays so where the target lacks the function or no target loads at all: the
 * constructor never aborts the process, and a missing function returns the library's "not
 * supported" status at its first call (for a function whose return type is not a status, the caller
 * sees that number too). The constructor's findings are kept in a string that the exported {@code
 * const char *featviz_compat_status(void)} returns, for C programs and debuggers ({@code
 * dlsym(handle, "featviz_compat_status")}); Java cannot call it without JNI, so {@link CudaCompat}
 * predicts the same outcome by looking for the target files itself.
 *
 * <p>A linker version script puts every exported symbol under a version node named exactly like the
 * soname, which is what the JNI native asks for ({@code cublasSgemm_v2@libcublas.so.12}). {@link
 * ForwardingLibraryBuilder} compiles the source with the host C compiler and caches the result.
 *
 * <pre>
 * ForwardingLibrary cublas = ForwardingLibrary.of("libcublas.so.12", imports, List.of("libcublas.so.13"), 15);
 * Path so = ForwardingLibraryBuilder.build(cublas, ForwardingLibraryBuilder.defaultCacheRoot());
 * System.load(so.toString());   // before JCublas2 loads its native
 * </pre>
 */
public final class ForwardingLibrary {
  /** Exported by every forwarding library: {@code const char *featviz_compat_status(void)}. */
  public static final String STATUS_FUNCTION = "featviz_compat_status";

  /**
   * Changes whenever the generated code changes, so that cached builds of older generators are not
   * reused.
   */
  static final String GENERATOR_VERSION = "featviz-compat-forwarder-2";

  private static final Pattern C_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  // The generated code's own names start with fvc_ (static or hidden) and featviz_ (the status
  // function).
  private static final Pattern SONAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]*");

  private final String soname;
  private final List<String> symbols;
  private final List<String> targets;
  private final int missingStatus;
  private final List<String> preloads;

  private ForwardingLibrary(
      String soname,
      List<String> symbols,
      List<String> targets,
      int missingStatus,
      List<String> preloads) {
    this.soname = soname;
    this.symbols = symbols;
    this.targets = targets;
    this.missingStatus = missingStatus;
    this.preloads = preloads;
  }

  /**
   * @param soname the library to impersonate, also the name of the version node ({@code
   *     libcudnn.so.8})
   * @param symbols the functions to export (C identifiers; duplicates are dropped, the order is
   *     normalized)
   * @param targets what to dlopen, first success wins: sonames (searched by the loader) or absolute
   *     paths
   * @param missingStatus what a function returns when the target lacks it or no target loads
   */
  public static ForwardingLibrary of(
      String soname, Collection<String> symbols, List<String> targets, int missingStatus) {
    if (!SONAME.matcher(soname).matches())
      throw new IllegalArgumentException("not a usable soname: '" + soname + "'");
    TreeSet<String> sorted = new TreeSet<>();
    for (String symbol : symbols) {
      if (!C_IDENTIFIER.matcher(symbol).matches()) {
        throw new IllegalArgumentException(
            "not a C function name: '" + symbol + "' (forwarding " + soname + ")");
      }
      if (symbol.startsWith("featviz_") || symbol.startsWith("fvc_") || symbol.startsWith("FVC_")) {
        throw new IllegalArgumentException(
            "'" + symbol + "' clashes with the forwarder's own names");
      }
      sorted.add(symbol);
    }
    if (sorted.isEmpty()) throw new IllegalArgumentException("no symbols to forward for " + soname);
    if (targets.isEmpty()) throw new IllegalArgumentException("no target library for " + soname);
    for (String target : targets) {
      if (target.isEmpty() || target.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("bad target library name: '" + target + "'");
      }
    }
    return new ForwardingLibrary(
        soname, List.copyOf(sorted), List.copyOf(targets), missingStatus, List.of());
  }

  /**
   * The same library, whose constructor first opens {@code libraries} (absolute paths, in this
   * order) with {@code RTLD_NOW | RTLD_GLOBAL}: what the target needs but the loader would not
   * find, such as cuDNN 9's sub-libraries beside a {@code libcudnn.so.9} in a pip wheel's folder
   * ({@link Preloads}). One that fails to load is noted in the status and the rest are still tried.
   */
  public ForwardingLibrary withPreloads(List<String> libraries) {
    for (String library : libraries) {
      if (!library.startsWith("/") || library.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("a preload must be an absolute path: '" + library + "'");
      }
    }
    return new ForwardingLibrary(soname, symbols, targets, missingStatus, List.copyOf(libraries));
  }

  /** What the constructor opens before the target, in order (absolute paths); empty by default. */
  public List<String> preloads() {
    return preloads;
  }

  public String soname() {
    return soname;
  }

  /** The forwarded functions, sorted; the library also exports {@link #STATUS_FUNCTION}. */
  public List<String> symbols() {
    return symbols;
  }

  public List<String> targets() {
    return targets;
  }

  public int missingStatus() {
    return missingStatus;
  }

  /**
   * The C source: name tables, the jump table, the trampolines, the constructor and the status
   * function.
   */
  public String cSource() {
    int n = symbols.size();
    StringBuilder c = new StringBuilder();
    c.append("/* Generated by featviz (")
        .append(GENERATOR_VERSION)
        .append("): ")
        .append(soname)
        .append(" forwarding ")
        .append(n)
        .append(" functions to the first of fvc_targets that loads.\n")
        .append(" * Functions the target lacks return ")
        .append(missingStatus)
        .append(". */\n")
        .append("#define _GNU_SOURCE\n")
        .append("#include <dlfcn.h>\n")
        .append("#include <stddef.h>\n")
        .append("#include <stdio.h>\n\n")
        .append("#define FVC_COUNT ")
        .append(n)
        .append("\n\n");

    c.append("static const char *const fvc_targets[] = {\n");
    for (String target : targets) c.append("  ").append(cString(target)).append(",\n");
    c.append("};\n\n");
    c.append(
            "/* Opened before the target, RTLD_GLOBAL, so that its dlopen()s and NEEDED entries by soname find them. */\n")
        .append("static const char *const fvc_preloads[] = {\n");
    for (String preload : preloads) c.append("  ").append(cString(preload)).append(",\n");
    c.append("  NULL\n};\n\n");
    c.append("static const char *const fvc_names[FVC_COUNT] = {\n");
    for (String symbol : symbols) c.append("  \"").append(symbol).append("\",\n");
    c.append("};\n\n");

    c.append("/* Where a function is missing: return the library's \"not supported\" status. */\n")
        .append("static int fvc_missing(void) { return ")
        .append(missingStatus)
        .append("; }\n\n")
        .append(
            "/* Read by the trampolines; hidden, so they reach it PC-relative without a GOT entry. */\n")
        .append("__attribute__((visibility(\"hidden\"))) void *fvc_table[FVC_COUNT] = {\n")
        .append("  [0 ... FVC_COUNT - 1] = (void *) fvc_missing\n")
        .append("};\n\n");

    c.append(
            "/* Trampoline i jumps through fvc_table[i]: no register or stack slot is touched, so every\n")
        .append("   argument and the return value pass through as they are. */\n")
        .append("__asm__(\n")
        .append("  \"  .text\\n\"\n");
    for (int i = 0; i < n; i++) {
      String s = symbols.get(i);
      c.append("  \"  .globl ")
          .append(s)
          .append("\\n  .type ")
          .append(s)
          .append(", @function\\n  .p2align 4\\n")
          .append(s)
          .append(":\\n  endbr64\\n  jmp *fvc_table+")
          .append(8L * i)
          .append("(%rip)\\n  .size ")
          .append(s)
          .append(", .-")
          .append(s)
          .append("\\n\"\n");
    }
    c.append(");\n\n");

    c.append("static char fvc_status[1024] = \"")
        .append(soname)
        .append(": constructor has not run\";\n\n")
        .append("const char *")
        .append(STATUS_FUNCTION)
        .append("(void) { return fvc_status; }\n\n");

    c.append(
            "/* Runs when the library is loaded: open the first target that loads, look up every function.\n")
        .append(
            "   Never aborts: where nothing loads, every function keeps returning the not-supported status. */\n")
        .append("__attribute__((constructor)) static void fvc_init(void) {\n")
        .append("  char preloaded[512] = \"\";\n")
        .append("  int wanted = 0, opened = 0;\n")
        .append("  const char *preloadError = NULL;\n")
        .append("  for (size_t p = 0; fvc_preloads[p] != NULL; p++) {\n")
        .append("    wanted++;\n")
        .append("    if (dlopen(fvc_preloads[p], RTLD_NOW | RTLD_GLOBAL) != NULL) {\n")
        .append("      opened++;\n")
        .append("    } else if (preloadError == NULL) {\n")
        .append("      preloadError = dlerror();\n")
        .append("    }\n")
        .append("  }\n")
        .append("  if (wanted > 0) {\n")
        .append(
            "    snprintf(preloaded, sizeof preloaded, \"; preloaded %d of %d libraries%s%s\", opened, wanted,\n")
        .append(
            "        preloadError != NULL ? \", first failure: \" : \"\", preloadError != NULL ? preloadError : \"\");\n")
        .append("  }\n")
        .append("  void *target = NULL;\n")
        .append("  const char *chosen = NULL;\n")
        .append("  const char *error = \"no targets\";\n")
        .append(
            "  for (size_t t = 0; t < sizeof fvc_targets / sizeof fvc_targets[0] && target == NULL; t++) {\n")
        .append("    target = dlopen(fvc_targets[t], RTLD_NOW | RTLD_GLOBAL);\n")
        .append("    if (target != NULL) {\n")
        .append("      chosen = fvc_targets[t];\n")
        .append("    } else {\n")
        .append("      const char *e = dlerror();\n")
        .append("      if (e != NULL) error = e;\n")
        .append("    }\n")
        .append("  }\n")
        .append("  if (target == NULL) {\n")
        .append("    ")
        .append(
            setStatus(
                "no target loaded (last error: %s); all %d functions return", "error, FVC_COUNT"))
        .append("    return;\n")
        .append("  }\n")
        .append(
            "  /* A target that resolves a name back to this library would make the trampoline loop. */\n")
        .append("  Dl_info self;\n")
        .append("  int knowSelf = dladdr((void *) fvc_missing, &self) != 0;\n")
        .append("  int found = 0;\n")
        .append("  for (int i = 0; i < FVC_COUNT; i++) {\n")
        .append("    void *f = dlsym(target, fvc_names[i]);\n")
        .append("    Dl_info where;\n")
        .append(
            "    if (f != NULL && knowSelf && dladdr(f, &where) != 0 && where.dli_fbase == self.dli_fbase) {\n")
        .append("      f = NULL;\n")
        .append("    }\n")
        .append("    if (f != NULL) {\n")
        .append("      fvc_table[i] = f;\n")
        .append("      found++;\n")
        .append("    }\n")
        .append("  }\n")
        .append("  ")
        .append(
            setStatus(
                "forwarding to %s, %d of %d functions found, the others return",
                "chosen, found, FVC_COUNT"))
        .append("}\n");
    return c.toString();
  }

  /**
   * The constructor's statement that writes its finding into fvc_status: the soname, {@code what}
   * (a printf format whose conversions {@code args} fill) ending in what missing functions return,
   * then the preloads' note.
   */
  private String setStatus(String what, String args) {
    return "snprintf(fvc_status, sizeof fvc_status, \""
        + soname
        + ": "
        + what
        + " "
        + missingStatus
        + "%s\", "
        + args
        + ", preloaded);\n";
  }

  /**
   * The linker version script: every forwarded function and the status function under the node
   * {@code soname}.
   */
  public String versionScript() {
    StringBuilder script = new StringBuilder();
    script.append(soname).append(" {\n  global:\n");
    for (String symbol : symbols) script.append("    ").append(symbol).append(";\n");
    script.append("    ").append(STATUS_FUNCTION).append(";\n");
    script.append("  local:\n    *;\n};\n");
    return script.toString();
  }

  /** A digest of everything that determines the built library, for the build cache. */
  public String key() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part :
          List.of(
              GENERATOR_VERSION,
              String.join(" ", ForwardingLibraryBuilder.compilerFlags(this)),
              cSource(),
              versionScript())) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }

  /**
   * A C string literal: printable ASCII as is, quotes and backslashes escaped, anything else as
   * octal escapes.
   */
  private static String cString(String text) {
    StringBuilder literal = new StringBuilder("\"");
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int u = b & 0xff;
      if (u == '"' || u == '\\') {
        literal.append('\\').append((char) u);
      } else if (u >= 0x20 && u < 0x7f && u != '?') { // '?' escaped too: no trigraphs
        literal.append((char) u);
      } else {
        literal.append(String.format("\\%03o", u));
      }
    }
    return literal.append('"').toString();
  }

  @Override
  public String toString() {
    return soname
        + " -> "
        + targets
        + " ("
        + symbols.size()
        + " functions, missing ones return "
        + missingStatus
        + (preloads.isEmpty() ? "" : ", preloading " + preloads)
        + ")";
  }
}
