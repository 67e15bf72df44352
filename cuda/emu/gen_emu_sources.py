#!/usr/bin/python3
"""Generates the host-emulator wrapper of each CUDA kernel source (docs/emulator.md).

For every NAME.cu given, writes OUT/NAME.emu.cpp: cuda_emu.h, then the source itself (kept line for
line under a #line directive, so compiler messages point into the .cu file), then one
FEATVIZ_EMU_KERNEL(kernel) line per `extern "C" __global__ void kernel(...)`. That macro deduces the
parameter types from the function, unpacks a void** argument array into them and registers the
kernel under its name, so this script only needs the names.

One rewrite is needed because C++ has no equivalent: `extern __shared__ T name[];` (dynamic shared
memory, sized at launch) becomes a pointer to the launch's dynamic shared buffer.

Local headers (`#include "name"` found beside the including file, such as cuda/common.cuh) are
inlined where they are included, each under its own #line directive, so the rewrite and the kernel
scan see them too and messages point into the header; each header is inlined once per source (the
first time it is included). Other includes are left to the compiler.

Fails, naming file and line, when a __global__ function is not declared `extern "C" __global__ void`
(it could not be launched by name) or when two files define the same kernel name.

Usage: gen_emu_sources.py OUT_DIR SOURCE.cu...
       gen_emu_sources.py --includes SOURCE...   (prints the local headers each source includes, in the
                                                  order they are inlined, one path a line)
"""
import os
import re
import sys

LAUNCH_BOUNDS = r'(?:__launch_bounds__\s*\([^)]*\)\s*)?'
KERNEL = re.compile(
    r'extern\s+"C"\s+__global__\s+' + LAUNCH_BOUNDS + r'void\s+' + LAUNCH_BOUNDS + r'([A-Za-z_]\w*)\s*\(')
GLOBAL = re.compile(r'\b__global__\b')
LOCAL_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"[^\n]*$', re.M)
DYNAMIC_SHARED = re.compile(
    r'extern[ \t]+__shared__[ \t]+(?:__align__\([ \t]*\d+[ \t]*\)[ \t]+)?([A-Za-z_][\w \t]*?)[ \t]+([A-Za-z_]\w*)[ \t]*\[[ \t]*\][ \t]*;')


def blank_comments_and_strings(text):
    """The text with comments and string/char literal contents replaced by spaces, newlines kept.

    Keeps offsets and line numbers, so matches found in the result point into the original; the
    literal "C" of extern "C" is kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            literal = text[i:j]
            out.append(literal if literal == '"C"' else c + ' ' * (len(literal) - 2) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def line_of(text, offset):
    return text.count('\n', 0, offset) + 1


def kernels_in(path, text):
    code = blank_comments_and_strings(text)
    names = []
    declared = {m.start(): m.group(1) for m in KERNEL.finditer(code)}
    for g in GLOBAL.finditer(code):
        start = code.rfind('extern', 0, g.start())
        match = KERNEL.match(code, start) if start >= 0 else None
        if match is None or match.end() < g.end():
            sys.exit(f'{path}:{line_of(code, g.start())}: a kernel must be declared '
                     f'extern "C" __global__ void NAME(...) so that it can be launched by name')
        names.append(declared[start])
    return list(dict.fromkeys(names))  # a kernel declared and later defined counts once


def rewrite_dynamic_shared(text):
    return DYNAMIC_SHARED.sub(
        lambda m: f'{m.group(1)}* const {m.group(2)} = static_cast<{m.group(1)}*>(featviz_emu::dynamic_shared());',
        text)


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def local_include(path, line):
    """The header a line `#include "name"` of file `path` names, where it exists beside `path`; else None."""
    header = os.path.normpath(os.path.join(os.path.dirname(path), line))
    return header if os.path.isfile(header) else None


def expand(path, text, inlined):
    """text with its local includes inlined (once each: `inlined` holds the headers already inlined, in order),
    the kernels it and its headers declare as (file, names) pairs."""
    code = blank_comments_and_strings(text)
    out = []
    kernels = [(path, kernels_in(path, text))]
    position = 0
    for match in LOCAL_INCLUDE.finditer(code):
        header = local_include(path, text[match.start(1):match.end(1)])
        if header is None:
            continue
        out.append(text[position:match.start()])
        position = match.end()
        if header in inlined:
            continue
        inlined.append(header)
        body, found = expand(header, read(header), inlined)
        kernels += found
        out.append(f'#line 1 "{header}"\n{body.rstrip(chr(10))}\n#line {line_of(text, position) + 1} "{path}"')
    out.append(text[position:])
    return ''.join(out), kernels


def includes(sources):
    for source in sources:
        inlined = []
        expand(source, read(source), inlined)
        for header in inlined:
            print(header)


def main(argv):
    if argv and argv[0] == '--includes':
        includes(argv[1:])
        return
    if len(argv) < 2:
        sys.exit(__doc__)
    out_dir, sources = argv[0], argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    owner = {}
    for source in sources:
        text, found = expand(source, read(source), [])
        names = []
        for path, declared in found:
            for name in declared:
                if name in owner:
                    sys.exit(f'{path}: kernel {name} is also defined in {owner[name]}')
                owner[name] = path
                names.append(name)
        base = os.path.splitext(os.path.basename(source))[0]
        lines = [
            f'// Generated by cuda/emu/gen_emu_sources.py from {source}: do not edit.',
            '#include "cuda_emu.h"',
            f'#line 1 "{source}"',
            rewrite_dynamic_shared(text).rstrip('\n'),
            f'#line 1 "{base}.emu.cpp (generated)"',
            '#include "emu_kernel_table.h"',
        ]
        lines += [f'FEATVIZ_EMU_KERNEL({name})' for name in names]
        with open(os.path.join(out_dir, base + '.emu.cpp'), 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        print(f'{source}: {", ".join(names) if names else "no kernels"}')


if __name__ == '__main__':
    main(sys.argv[1:])
