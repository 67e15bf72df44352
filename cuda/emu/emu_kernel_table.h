// emu_kernel_table.h: turns a kernel function into a table entry. The generated wrapper of each .cu
// file ends with FEATVIZ_EMU_KERNEL(name) per extern "C" __global__ kernel; the parameter types are
// deduced from the function itself, so the generator only needs the names.
#ifndef FEATVIZ_EMU_KERNEL_TABLE_H
#define FEATVIZ_EMU_KERNEL_TABLE_H

#include <utility>

#include "cuda_emu.h"
#include "emu_abi.h"

namespace featviz_emu {

// Runs every block of a launch; `invoke` calls the kernel for the current thread (emu_runtime.cpp).
int run_grid(const featviz_emu_launch* launch, void (*invoke)(void** args));
// Adds a kernel to this library's table (called from static initializers).
void register_kernel(const featviz_emu_kernel& entry);

template <typename T>
struct dependent_false : std::false_type {};

template <typename T>
constexpr char param_tag() {
  using U = typename std::remove_cv<T>::type;
  if constexpr (std::is_pointer<U>::value) {
    return 'p';
  } else if constexpr (std::is_same<U, float>::value) {
    return 'f';
  } else if constexpr (std::is_integral<U>::value && !std::is_same<U, bool>::value && sizeof(U) == 4) {
    return 'i';
  } else if constexpr (std::is_integral<U>::value && sizeof(U) == 8) {
    return 'l';
  } else {
    static_assert(dependent_false<U>::value,
                  "kernel parameters must be pointers, float, or 32/64-bit integers (see docs/emulator.md)");
    return '?';
  }
}

template <typename F, F K>
struct KernelThunk;

template <typename... P, void (*K)(P...)>
struct KernelThunk<void (*)(P...), K> {
  static constexpr char tags[] = {param_tag<P>()..., '\0'};

  static void invoke(void** args) { call(args, std::index_sequence_for<P...>{}); }

  template <size_t... I>
  static void call(void** args, std::index_sequence<I...>) {
    (void)args;  // unused for kernels without parameters
    K(*static_cast<typename std::remove_cv<P>::type*>(args[I])...);
  }
};

struct Registration {
  explicit Registration(const featviz_emu_kernel& entry) { register_kernel(entry); }
};

}  // namespace featviz_emu

#define FEATVIZ_EMU_KERNEL(name)                                                                    \
  static int featviz_emu_run_##name(const featviz_emu_launch* launch) {                             \
    return featviz_emu::run_grid(launch, &featviz_emu::KernelThunk<decltype(&name), &name>::invoke); \
  }                                                                                                 \
  static const featviz_emu::Registration featviz_emu_registration_##name(                           \
      featviz_emu_kernel{#name, featviz_emu::KernelThunk<decltype(&name), &name>::tags, &featviz_emu_run_##name});

#endif  // FEATVIZ_EMU_KERNEL_TABLE_H
