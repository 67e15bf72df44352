package org.featviz.cuda.compat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dynamic symbols of an ELF64 x86-64 shared object, read in plain Java: undefined symbols with
 * the version they require (.dynsym, .dynstr, .gnu.version, .gnu.version_r), defined symbols with
 * the version node they are exported under (.gnu.version_d), and the DT_SONAME, DT_NEEDED and
 * DT_RUNPATH entries. The tables are found through the section headers, or through the dynamic
 * segment where a library has none (the dynamic loader itself never reads section headers). This is
 * what {@code nm -D} and {@code readelf -d} print, without needing either tool.
 *
 * <pre>
 * ElfSymbols jni = ElfSymbols.read(Path.of("libJCublas2-12.6.0-linux-x86_64.so"));
 * List&lt;String&gt; imports = jni.undefinedNames("libcublas.so.12");   // 494 cuBLAS functions
 * </pre>
 */
public final class ElfSymbols {
  // Section types, dynamic tags and special values of the gABI and the GNU symbol-versioning
  // extension.
  private static final int SHT_DYNAMIC = 6;
  private static final int SHT_DYNSYM = 11;
  private static final int SHT_GNU_VERDEF = 0x6ffffffd;
  private static final int SHT_GNU_VERNEED = 0x6ffffffe;
  private static final int SHT_GNU_VERSYM = 0x6fffffff;
  private static final long DT_NULL = 0;
  private static final long DT_NEEDED = 1;
  private static final long DT_HASH = 4;
  private static final long DT_STRTAB = 5;
  private static final long DT_SYMTAB = 6;
  private static final long DT_STRSZ = 10;
  private static final long DT_SONAME = 14;
  private static final long DT_RPATH = 15;
  private static final long DT_RUNPATH = 29;
  private static final long DT_GNU_HASH = 0x6ffffef5L;
  private static final long DT_VERSYM = 0x6ffffff0L;
  private static final long DT_VERDEF = 0x6ffffffcL;
  private static final long DT_VERDEFNUM = 0x6ffffffdL;
  private static final long DT_VERNEED = 0x6ffffffeL;
  private static final long DT_VERNEEDNUM = 0x6fffffffL;
  private static final int SYM_SIZE = 24; // sizeof(Elf64_Sym)
  private static final int VERSYM_HIDDEN = 0x8000;

  /**
   * Where the dynamic tables were found: through the section headers, or through the dynamic
   * segment.
   */
  enum Route {
    SECTION_HEADERS,
    DYNAMIC_SEGMENT
  }

  /**
   * File offsets and sizes of the tables, however they were found; -1 marks an absent version
   * table.
   */
  private record Tables(
      long symtab,
      int symbolCount,
      long strtab,
      long strSize,
      long versym,
      long verneed,
      int verneedCount,
      long verdef,
      int verdefCount) {}

  private final String source;
  private final String soname;
  private final List<String> needed;
  private final List<String> runpath;
  private final List<String> versionDefinitions;
  private final List<ElfSymbol> symbols;

  private ElfSymbols(
      String source,
      String soname,
      List<String> needed,
      List<String> runpath,
      List<String> versionDefinitions,
      List<ElfSymbol> symbols) {
    this.source = source;
    this.soname = soname;
    this.needed = List.copyOf(needed);
    this.runpath = List.copyOf(runpath);
    this.versionDefinitions = List.copyOf(versionDefinitions);
    this.symbols = List.copyOf(symbols);
  }

  /**
   * Reads a shared object from a file (memory-mapped, so large libraries such as cuBLAS are cheap).
   */
  public static ElfSymbols read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > Integer.MAX_VALUE)
        throw new ElfFormatException(file.toString(), "larger than 2 GiB");
      return parse(channel.map(FileChannel.MapMode.READ_ONLY, 0, size), file.toString());
    }
  }

  /**
   * Reads a shared object held in memory (a jar resource); {@code source} names it in error
   * messages.
   */
  public static ElfSymbols parse(byte[] bytes, String source) throws ElfFormatException {
    return parse(ByteBuffer.wrap(bytes), source);
  }

  static ElfSymbols parse(ByteBuffer bytes, String source) throws ElfFormatException {
    ElfFile elf = ElfFile.parse(bytes, source);
    boolean hasDynsym = elf.sections().stream().anyMatch(s -> s.type() == SHT_DYNSYM);
    return parse(elf, hasDynsym ? Route.SECTION_HEADERS : Route.DYNAMIC_SEGMENT);
  }

  /** Reads the tables along one route; tests check that both routes agree. */
  static ElfSymbols parse(ByteBuffer bytes, String source, Route route) throws ElfFormatException {
    return parse(ElfFile.parse(bytes, source), route);
  }

  private static ElfSymbols parse(ElfFile elf, Route route) throws ElfFormatException {
    long[] dynamic = dynamicEntries(elf);
    Tables t =
        route == Route.SECTION_HEADERS ? tablesFromSections(elf) : tablesFromDynamic(elf, dynamic);

    String soname = null;
    List<String> needed = new ArrayList<>();
    List<String> runpath = new ArrayList<>();
    for (int i = 0; i < dynamic.length; i += 2) {
      long tag = dynamic[i];
      long value = dynamic[i + 1];
      if (tag == DT_SONAME) soname = elf.cString(t.strtab(), t.strSize(), value);
      if (tag == DT_NEEDED) needed.add(elf.cString(t.strtab(), t.strSize(), value));
      if (tag == DT_RUNPATH || tag == DT_RPATH) {
        for (String dir : elf.cString(t.strtab(), t.strSize(), value).split(":")) {
          if (!dir.isEmpty()) runpath.add(dir);
        }
      }
    }

    Map<Integer, String[]> required = versionRequirements(elf, t);
    List<String> definitionNames = new ArrayList<>();
    Map<Integer, String> defined = versionDefinitions(elf, t, definitionNames);

    List<ElfSymbol> symbols = new ArrayList<>();
    for (int i = 1; i < t.symbolCount(); i++) { // entry 0 is the reserved null symbol
      long s = t.symtab() + (long) i * SYM_SIZE;
      // Elf64_Sym: st_name 0, st_info 4 (binding << 4 | type), st_other 5, st_shndx 6, st_value 8,
      // st_size 16
      String name = elf.cString(t.strtab(), t.strSize(), elf.u32(s));
      int info = elf.u8(s + 4);
      boolean isDefined = elf.u16(s + 6) != 0; // SHN_UNDEF = 0
      String version = null;
      String versionFile = null;
      boolean hidden = false;
      if (t.versym() >= 0) {
        int v = elf.u16(t.versym() + 2L * i);
        hidden = (v & VERSYM_HIDDEN) != 0;
        int index = v & ~VERSYM_HIDDEN;
        if (index > 1) { // 0 = local, 1 = global without version
          if (isDefined) {
            version = defined.get(index);
          } else if (required.containsKey(index)) {
            version = required.get(index)[0];
            versionFile = required.get(index)[1];
          }
          if (version == null)
            throw elf.error("symbol " + name + " has version index " + index + ", never declared");
        }
      }
      symbols.add(
          new ElfSymbol(
              name,
              ElfSymbol.type(info & 0xf),
              ElfSymbol.binding(info >> 4),
              isDefined,
              version,
              versionFile,
              hidden));
    }
    return new ElfSymbols(elf.source(), soname, needed, runpath, definitionNames, symbols);
  }

  /** The (tag, value) pairs of the dynamic section, read through the PT_DYNAMIC segment. */
  private static long[] dynamicEntries(ElfFile elf) throws ElfFormatException {
    ElfFile.Segment dyn =
        elf.segments().stream()
            .filter(s -> s.type() == ElfFile.PT_DYNAMIC)
            .findFirst()
            .orElseThrow(
                () ->
                    elf.error(
                        "has no dynamic segment (PT_DYNAMIC): not a dynamically linked library"));
    List<Long> entries = new ArrayList<>();
    for (long p = dyn.offset(); p + 16 <= dyn.offset() + dyn.fileSize(); p += 16) {
      long tag = elf.raw64(p); // Elf64_Dyn: d_tag 0, d_val 8
      if (tag == DT_NULL) break;
      entries.add(tag);
      entries.add(elf.raw64(p + 8));
    }
    return entries.stream().mapToLong(Long::longValue).toArray();
  }

  private static Tables tablesFromSections(ElfFile elf) throws ElfFormatException {
    List<ElfFile.Section> sections = elf.sections();
    ElfFile.Section dynsym = null;
    ElfFile.Section versym = null;
    ElfFile.Section verneed = null;
    ElfFile.Section verdef = null;
    for (ElfFile.Section s : sections) {
      if (s.type() == SHT_DYNSYM) dynsym = s;
      if (s.type() == SHT_GNU_VERSYM) versym = s;
      if (s.type() == SHT_GNU_VERNEED) verneed = s;
      if (s.type() == SHT_GNU_VERDEF) verdef = s;
    }
    if (dynsym == null) throw elf.error("has no .dynsym section");
    if (dynsym.link() <= 0 || dynsym.link() >= sections.size()) {
      throw elf.error(".dynsym links to section " + dynsym.link() + ", which does not exist");
    }
    ElfFile.Section dynstr = sections.get(dynsym.link());
    return new Tables(
        dynsym.offset(),
        (int) (dynsym.size() / SYM_SIZE),
        dynstr.offset(),
        dynstr.size(),
        versym == null ? -1 : versym.offset(),
        verneed == null ? -1 : verneed.offset(),
        verneed == null ? 0 : verneed.info(),
        verdef == null ? -1 : verdef.offset(),
        verdef == null ? 0 : verdef.info());
  }

  private static Tables tablesFromDynamic(ElfFile elf, long[] dynamic) throws ElfFormatException {
    Map<Long, Long> tags = new HashMap<>();
    for (int i = 0; i < dynamic.length; i += 2) tags.putIfAbsent(dynamic[i], dynamic[i + 1]);
    if (!tags.containsKey(DT_SYMTAB)
        || !tags.containsKey(DT_STRTAB)
        || !tags.containsKey(DT_STRSZ)) {
      throw elf.error("dynamic segment lacks DT_SYMTAB, DT_STRTAB or DT_STRSZ");
    }
    long symtab = elf.fileOffset(tags.get(DT_SYMTAB), "DT_SYMTAB");
    int count;
    if (tags.containsKey(DT_GNU_HASH)) {
      count = symbolCountFromGnuHash(elf, elf.fileOffset(tags.get(DT_GNU_HASH), "DT_GNU_HASH"));
    } else if (tags.containsKey(DT_HASH)) {
      count =
          (int)
              elf.u32(
                  elf.fileOffset(tags.get(DT_HASH), "DT_HASH") + 4); // nchain = number of symbols
    } else {
      throw elf.error(
          "has neither section headers nor a hash table: the number of dynamic symbols is unknown");
    }
    return new Tables(
        symtab,
        count,
        elf.fileOffset(tags.get(DT_STRTAB), "DT_STRTAB"),
        tags.get(DT_STRSZ),
        tags.containsKey(DT_VERSYM) ? elf.fileOffset(tags.get(DT_VERSYM), "DT_VERSYM") : -1,
        tags.containsKey(DT_VERNEED) ? elf.fileOffset(tags.get(DT_VERNEED), "DT_VERNEED") : -1,
        tags.getOrDefault(DT_VERNEEDNUM, 0L).intValue(),
        tags.containsKey(DT_VERDEF) ? elf.fileOffset(tags.get(DT_VERDEF), "DT_VERDEF") : -1,
        tags.getOrDefault(DT_VERDEFNUM, 0L).intValue());
  }

  /**
   * The number of dynamic symbols from a GNU hash table: symbols below symoffset are not hashed;
   * hashed ones sit in chains, one chain per bucket, each ending with an entry whose lowest bit is
   * set. The last chain that the largest bucket start opens ends at the last symbol.
   */
  private static int symbolCountFromGnuHash(ElfFile elf, long table) throws ElfFormatException {
    long buckets = elf.u32(table);
    long symoffset = elf.u32(table + 4);
    long bloomWords = elf.u32(table + 8);
    long bucketStart = table + 16 + 8 * bloomWords;
    long chainStart = bucketStart + 4 * buckets;
    long last = 0;
    for (long b = 0; b < buckets; b++) last = Math.max(last, elf.u32(bucketStart + 4 * b));
    if (last < symoffset) return (int) symoffset;
    while ((elf.u32(chainStart + 4 * (last - symoffset)) & 1) == 0) last++;
    return (int) (last + 1);
  }

  /** Version index -> {version name, file that provides it}, from the Elf64_Verneed chain. */
  private static Map<Integer, String[]> versionRequirements(ElfFile elf, Tables t)
      throws ElfFormatException {
    Map<Integer, String[]> result = new HashMap<>();
    long p = t.verneed();
    for (int i = 0; p >= 0 && i < t.verneedCount(); i++) {
      // Elf64_Verneed: vn_version 0, vn_cnt 2, vn_file 4, vn_aux 8, vn_next 12
      int count = elf.u16(p + 2);
      String file = elf.cString(t.strtab(), t.strSize(), elf.u32(p + 4));
      long a = p + elf.u32(p + 8);
      for (int j = 0; j < count; j++) {
        // Elf64_Vernaux: vna_hash 0, vna_flags 4, vna_other 6, vna_name 8, vna_next 12
        int index = elf.u16(a + 6);
        result.put(
            index, new String[] {elf.cString(t.strtab(), t.strSize(), elf.u32(a + 8)), file});
        long next = elf.u32(a + 12);
        if (next == 0) break;
        a += next;
      }
      long next = elf.u32(p + 12);
      if (next == 0) break;
      p += next;
    }
    return result;
  }

  /**
   * Version index -> name, from the Elf64_Verdef chain; also lists every definition's name in
   * order.
   */
  private static Map<Integer, String> versionDefinitions(ElfFile elf, Tables t, List<String> names)
      throws ElfFormatException {
    Map<Integer, String> result = new HashMap<>();
    long p = t.verdef();
    for (int i = 0; p >= 0 && i < t.verdefCount(); i++) {
      // Elf64_Verdef: vd_version 0, vd_flags 2, vd_ndx 4, vd_cnt 6, vd_hash 8, vd_aux 12, vd_next
      // 16;
      // the first Elf64_Verdaux (vda_name 0, vda_next 4) names the version.
      int index = elf.u16(p + 4);
      String name = elf.cString(t.strtab(), t.strSize(), elf.u32(p + elf.u32(p + 12)));
      result.put(index, name);
      names.add(name);
      long next = elf.u32(p + 16);
      if (next == 0) break;
      p += next;
    }
    return result;
  }

  /** The file or resource this was read from. */
  public String source() {
    return source;
  }

  /** DT_SONAME, the name the dynamic loader matches NEEDED entries against. */
  public Optional<String> soname() {
    return Optional.ofNullable(soname);
  }

  /** DT_NEEDED entries in order: the libraries the loader loads with this one. */
  public List<String> needed() {
    return needed;
  }

  /**
   * The folders of DT_RUNPATH (or the older DT_RPATH), where the loader also looks for needed
   * libraries.
   */
  public List<String> runpath() {
    return runpath;
  }

  /**
   * Names of the version definitions (.gnu.version_d) in order; the first is usually the soname
   * itself.
   */
  public List<String> versionDefinitions() {
    return versionDefinitions;
  }

  /** Every dynamic symbol except the reserved null entry, in table order. */
  public List<ElfSymbol> symbols() {
    return symbols;
  }

  /** Symbols this library imports (undefined, not local). */
  public List<ElfSymbol> undefined() {
    return symbols.stream()
        .filter(s -> !s.defined() && s.binding() != ElfSymbol.Binding.LOCAL)
        .toList();
  }

  /** Symbols this library exports (defined, not local). */
  public List<ElfSymbol> defined() {
    return symbols.stream()
        .filter(s -> s.defined() && s.binding() != ElfSymbol.Binding.LOCAL)
        .toList();
  }

  /**
   * Names of the undefined symbols that require {@code version}, without duplicates, in table
   * order.
   */
  public List<String> undefinedNames(String version) {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    for (ElfSymbol s : undefined()) {
      if (version.equals(s.version())) names.add(s.name());
    }
    return Collections.unmodifiableList(new ArrayList<>(names));
  }

  @Override
  public String toString() {
    return source + " (soname " + soname + ", " + symbols.size() + " dynamic symbols)";
  }
}
