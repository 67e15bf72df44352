package org.featviz.cuda.compat;

/**
 * One entry of a shared object's dynamic symbol table. For an undefined symbol, {@code version} is
 * the version it requires and {@code versionFile} the library that must provide it (from
 * .gnu.version_r): {@code cublasSgemm_v2} needs {@code libcublas.so.12} from {@code
 * libcublas.so.12}. For a defined symbol, {@code version} is the version node it is exported under
 * (from .gnu.version_d) and {@code versionFile} is null; {@code hidden} marks a non-default version
 * ({@code name@version} rather than {@code name@@version}). Unversioned symbols have a null
 * version.
 */
public record ElfSymbol(
    String name,
    Type type,
    Binding binding,
    boolean defined,
    String version,
    String versionFile,
    boolean hidden) {

  /** ELF symbol types (STT_*). */
  public enum Type {
    NOTYPE,
    OBJECT,
    FUNC,
    SECTION,
    FILE,
    COMMON,
    TLS,
    GNU_IFUNC,
    OTHER
  }

  /** ELF symbol bindings (STB_*). */
  public enum Binding {
    LOCAL,
    GLOBAL,
    WEAK,
    GNU_UNIQUE,
    OTHER
  }

  static Type type(int sttType) {
    return switch (sttType) {
      case 0 -> Type.NOTYPE;
      case 1 -> Type.OBJECT;
      case 2 -> Type.FUNC;
      case 3 -> Type.SECTION;
      case 4 -> Type.FILE;
      case 5 -> Type.COMMON;
      case 6 -> Type.TLS;
      case 10 -> Type.GNU_IFUNC;
      default -> Type.OTHER;
    };
  }

  static Binding binding(int stbBinding) {
    return switch (stbBinding) {
      case 0 -> Binding.LOCAL;
      case 1 -> Binding.GLOBAL;
      case 2 -> Binding.WEAK;
      case 10 -> Binding.GNU_UNIQUE;
      default -> Binding.OTHER;
    };
  }

  /**
   * As nm -D writes it: {@code name@version} (required or hidden), {@code name@@version} (default),
   * or name.
   */
  @Override
  public String toString() {
    if (version == null) return name;
    return name + (defined && !hidden ? "@@" : "@") + version;
  }
}
