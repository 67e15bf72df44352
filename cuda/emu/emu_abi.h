// emu_abi.h: the C interface between the emulator's JNI library (emu_jni.cpp) and a library of
// emulated kernels. Each kernel library carries its own copy of the fiber runtime (emu_runtime.cpp)
// and exports one function, featviz_emu_kernels, that lists its kernels; the JNI library lists its
// own kernels the same way and adds those of libraries it loads later (test-only kernels).
#ifndef FEATVIZ_EMU_ABI_H
#define FEATVIZ_EMU_ABI_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Bumped whenever a struct below changes, so a stale library is refused instead of misread.
#define FEATVIZ_EMU_ABI_VERSION 1

// One launch: the grid, the block, dynamic shared memory, and one pointer per kernel parameter that
// points at the parameter's value (the layout cuLaunchKernel takes).
struct featviz_emu_launch {
  unsigned grid[3];
  unsigned block[3];
  size_t shared_bytes;
  void** args;
  char* error;  // a message when run returns non-zero
  size_t error_size;
};

struct featviz_emu_kernel {
  const char* name;
  // One character per parameter: p pointer, i 32-bit integer, f float, l 64-bit integer.
  const char* param_tags;
  // Runs every block of the grid; returns 0, or non-zero with a message in launch->error.
  int (*run)(const struct featviz_emu_launch* launch);
};

// Returns the library's kernels and their number, or NULL when abi_version is not the library's.
typedef const struct featviz_emu_kernel* (*featviz_emu_kernels_fn)(int abi_version, int* count);
#define FEATVIZ_EMU_KERNELS_SYMBOL "featviz_emu_kernels"

#ifdef __cplusplus
}
#endif

#endif  // FEATVIZ_EMU_ABI_H
