package org.featviz.cuda.compat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of an ELF64 little-endian x86-64 shared object with bounds-checked reads, its program
 * headers (segments) and section headers. Every read past the end of the file is an {@link
 * ElfFormatException}, never an IndexOutOfBoundsException, so a truncated or corrupt file gives a
 * clear error. Layouts follow the System V ABI (gABI) and its x86-64 supplement; offsets in
 * comments are bytes from the start of each structure.
 */
final class ElfFile {
  static final int ET_DYN = 3;
  static final int EM_X86_64 = 62;
  static final int PT_LOAD = 1;
  static final int PT_DYNAMIC = 2;

  /** A program header: how a part of the file is mapped into memory. */
  record Segment(int type, long offset, long vaddr, long fileSize) {}

  /** A section header, with its name resolved from the section-name string table. */
  record Section(
      String name, int type, long offset, long size, int link, int info, long entrySize) {}

  private final ByteBuffer data;
  private final String source;
  private final List<Segment> segments = new ArrayList<>();
  private final List<Section> sections = new ArrayList<>();

  private ElfFile(ByteBuffer data, String source) {
    this.data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    this.source = source;
  }

  /** Checks the ELF header and reads the program and section headers. */
  static ElfFile parse(ByteBuffer data, String source) throws ElfFormatException {
    ElfFile elf = new ElfFile(data, source);
    elf.checkHeader();
    elf.readSegments();
    elf.readSections();
    return elf;
  }

  String source() {
    return source;
  }

  List<Segment> segments() {
    return segments;
  }

  List<Section> sections() {
    return sections;
  }

  ElfFormatException error(String problem) {
    return new ElfFormatException(source, problem);
  }

  private void checkHeader() throws ElfFormatException {
    // e_ident: 0x7f 'E' 'L' 'F', EI_CLASS (1 = 32-bit, 2 = 64-bit), EI_DATA (1 = little, 2 = big
    // endian)
    if (data.limit() < 4
        || data.get(0) != 0x7f
        || data.get(1) != 'E'
        || data.get(2) != 'L'
        || data.get(3) != 'F') {
      throw error("not an ELF file (no \\x7fELF magic at the start)");
    }
    if (data.limit() < 64)
      throw error("truncated ELF header (" + data.limit() + " bytes, 64 needed)");
    int elfClass = data.get(4);
    if (elfClass != 2) {
      throw error(
          elfClass == 1
              ? "a 32-bit ELF file; only ELF64 is supported"
              : "unknown ELF class " + elfClass);
    }
    int encoding = data.get(5);
    if (encoding != 1) {
      throw error(
          encoding == 2
              ? "a big-endian ELF file; only little-endian is supported"
              : "unknown ELF data encoding " + encoding);
    }
    int machine = u16(18);
    if (machine != EM_X86_64) throw error("built for " + machineName(machine) + ", not x86-64");
    int type = u16(16);
    if (type != ET_DYN) throw error("an ELF " + typeName(type) + ", not a shared object (ET_DYN)");
  }

  private void readSegments() throws ElfFormatException {
    long phoff = u64(32);
    int phentsize = u16(54);
    int phnum = u16(56);
    if (phnum > 0 && phentsize < 56)
      throw error("program header entries of " + phentsize + " bytes (56 expected)");
    for (int i = 0; i < phnum; i++) {
      long p = phoff + (long) i * phentsize;
      // Elf64_Phdr: p_type 0, p_flags 4, p_offset 8, p_vaddr 16, p_paddr 24, p_filesz 32, p_memsz
      // 40, p_align 48
      segments.add(new Segment((int) u32(p), u64(p + 8), u64(p + 16), u64(p + 32)));
    }
  }

  private void readSections() throws ElfFormatException {
    long shoff = u64(40);
    int shentsize = u16(58);
    int shnum = u16(60);
    int shstrndx = u16(62);
    if (shoff == 0 || shnum == 0)
      return; // stripped of section headers: the dynamic segment still works
    if (shentsize < 64)
      throw error("section header entries of " + shentsize + " bytes (64 expected)");
    long[] raw = new long[shnum * 8];
    for (int i = 0; i < shnum; i++) {
      long s = shoff + (long) i * shentsize;
      // Elf64_Shdr: sh_name 0, sh_type 4, sh_flags 8, sh_addr 16, sh_offset 24, sh_size 32, sh_link
      // 40,
      // sh_info 44, sh_addralign 48, sh_entsize 56
      raw[i * 8] = u32(s);
      raw[i * 8 + 1] = u32(s + 4);
      raw[i * 8 + 2] = u64(s + 24);
      raw[i * 8 + 3] = u64(s + 32);
      raw[i * 8 + 4] = u32(s + 40);
      raw[i * 8 + 5] = u32(s + 44);
      raw[i * 8 + 6] = u64(s + 56);
    }
    long namesOffset = -1;
    long namesSize = 0;
    if (shstrndx > 0 && shstrndx < shnum) {
      namesOffset = raw[shstrndx * 8 + 2];
      namesSize = raw[shstrndx * 8 + 3];
    }
    for (int i = 0; i < shnum; i++) {
      String name = namesOffset < 0 ? "" : cString(namesOffset, namesSize, raw[i * 8]);
      sections.add(
          new Section(
              name,
              (int) raw[i * 8 + 1],
              raw[i * 8 + 2],
              raw[i * 8 + 3],
              (int) raw[i * 8 + 4],
              (int) raw[i * 8 + 5],
              raw[i * 8 + 6]));
    }
  }

  /** The file offset of a virtual address, through the PT_LOAD segment that maps it. */
  long fileOffset(long vaddr, String what) throws ElfFormatException {
    for (Segment s : segments) {
      if (s.type() == PT_LOAD && vaddr >= s.vaddr() && vaddr - s.vaddr() < s.fileSize()) {
        return s.offset() + (vaddr - s.vaddr());
      }
    }
    throw error(what + " at address 0x" + Long.toHexString(vaddr) + " lies in no loadable segment");
  }

  int u8(long offset) throws ElfFormatException {
    return data.get(index(offset, 1)) & 0xff;
  }

  int u16(long offset) throws ElfFormatException {
    return data.getShort(index(offset, 2)) & 0xffff;
  }

  long u32(long offset) throws ElfFormatException {
    return data.getInt(index(offset, 4)) & 0xffffffffL;
  }

  /** An unsigned 64-bit offset, address or size; one that does not fit in a long is an error. */
  long u64(long offset) throws ElfFormatException {
    long value = raw64(offset);
    if (value < 0) throw error("64-bit field at offset " + offset + " is out of range");
    return value;
  }

  /** 64 bits as stored, for fields that are not offsets (dynamic tags and values). */
  long raw64(long offset) throws ElfFormatException {
    return data.getLong(index(offset, 8));
  }

  /**
   * The zero-terminated string at tableOffset + index, which must end inside the table of tableSize
   * bytes.
   */
  String cString(long tableOffset, long tableSize, long index) throws ElfFormatException {
    if (index < 0 || index >= tableSize) {
      throw error("string index " + index + " outside its string table of " + tableSize + " bytes");
    }
    long start = tableOffset + index;
    long end = start;
    long limit = tableOffset + tableSize;
    while (end < limit && u8(end) != 0) end++;
    if (end == limit)
      throw error("string at offset " + start + " is not terminated inside its table");
    byte[] bytes = new byte[(int) (end - start)];
    data.get(index(start, bytes.length), bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private int index(long offset, int length) throws ElfFormatException {
    if (offset < 0 || offset + length > data.limit()) {
      throw error(
          "truncated or corrupt: needs bytes "
              + offset
              + ".."
              + (offset + length)
              + " of a file of "
              + data.limit()
              + " bytes");
    }
    return (int) offset;
  }

  private static String machineName(int machine) {
    return switch (machine) {
      case 3 -> "x86 (32-bit)";
      case 20 -> "PowerPC";
      case 21 -> "PowerPC64";
      case 40 -> "ARM";
      case 183 -> "AArch64";
      case 243 -> "RISC-V";
      default -> "machine " + machine;
    };
  }

  private static String typeName(int type) {
    return switch (type) {
      case 0 -> "file of no type (ET_NONE)";
      case 1 -> "relocatable object (ET_REL)";
      case 2 -> "executable (ET_EXEC)";
      case 4 -> "core dump (ET_CORE)";
      default -> "file of type " + type;
    };
  }
}
