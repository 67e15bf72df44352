// emu_runtime.cpp: the fiber scheduler behind cuda_emu.h (docs/emulator.md).
//
// A launch runs its blocks one after another. Each thread of a block is a ucontext fiber with a 64 KB
// stack (and a guard page below it). The scheduler always resumes the lowest-numbered runnable thread
// from where it last stopped and lets it run alone until it
//   - reaches __syncthreads(): it waits until every thread of the block is there;
//   - reaches a warp collective (shuffle, vote, __syncwarp): it waits only for the lanes of its warp
//     named in the mask, so a shuffle never acts as a block-wide barrier;
//   - returns from the kernel.
// Threads thus run strictly one at a time between synchronization points: a thread that reads shared
// memory another thread has yet to write sees the 0xFF fill (NaN), so a missing barrier shows up as a
// wrong result. Barrier divergence (a thread exits while others wait at __syncthreads) and collectives
// that can never complete are reported as errors rather than hanging or guessing.
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <cstdarg>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "emu_kernel_table.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define FEATVIZ_EMU_ASAN 1
#endif

// Bounds of the section that holds every __shared__ variable of this library (absent when no kernel
// declares one, hence weak).
extern "C" char __start_featviz_shared[] __attribute__((weak));
extern "C" char __stop_featviz_shared[] __attribute__((weak));

namespace featviz_emu {

const uint3* current_thread_idx = nullptr;
BlockState block_state;

namespace {

constexpr size_t kStackBytes = 64 * 1024;
constexpr size_t kGuardBytes = 4096;
constexpr int kMaxThreads = 1024;
constexpr unsigned char kSharedFill = 0xFF;
const char* const kCollectiveNames[] = {"__shfl_sync",  "__shfl_up_sync", "__shfl_down_sync", "__shfl_xor_sync",
                                        "__ballot_sync", "__all_sync",     "__any_sync",       "__syncwarp"};

enum class State { Runnable, AtBarrier, AtCollective, Done, Failed };

struct Fiber {
  ucontext_t context;
  char* stack = nullptr;  // lowest usable byte (above the guard page)
  uint3 idx{};
  int linear = 0;
  State state = State::Runnable;
  // The collective this fiber waits at, and its result once every lane has arrived.
  Collective kind = SYNCWARP;
  unsigned mask = 0;
  uint64_t posted = 0;
  int arg = 0;
  int width = 32;
  uint64_t result = 0;
#ifdef FEATVIZ_EMU_ASAN
  void* fake_stack = nullptr;
#endif
};

struct Scheduler {
  ucontext_t home;  // the scheduler's own context
  std::vector<Fiber> fibers;
  Fiber* running = nullptr;
  void (*invoke)(void**) = nullptr;
  void** args = nullptr;
  std::string error;
  void* dynamic = nullptr;
  size_t dynamic_bytes = 0;
#ifdef FEATVIZ_EMU_ASAN
  const void* home_stack_bottom = nullptr;
  size_t home_stack_size = 0;
#endif
};

Scheduler S;
std::mutex launch_mutex;  // the scheduler and the shared-memory section are per library

std::string format(const char* fmt, ...) {
  char buffer[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buffer, sizeof buffer, fmt, ap);
  va_end(ap);
  return buffer;
}

std::string where(const Fiber& f) {
  const uint3& b = block_state.block_idx;
  return format("thread (%u,%u,%u) of block (%u,%u,%u)", f.idx.x, f.idx.y, f.idx.z, b.x, b.y, b.z);
}

// ---- Context switches (annotated for AddressSanitizer, which otherwise loses track of stacks) ----
void enter(Fiber& f) {
  S.running = &f;
  current_thread_idx = &f.idx;
#ifdef FEATVIZ_EMU_ASAN
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, f.stack, kStackBytes);
  swapcontext(&S.home, &f.context);
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#else
  swapcontext(&S.home, &f.context);
#endif
  S.running = nullptr;
}

void leave(Fiber& f) {
#ifdef FEATVIZ_EMU_ASAN
  bool final = f.state == State::Done || f.state == State::Failed;
  __sanitizer_start_switch_fiber(final ? nullptr : &f.fake_stack, S.home_stack_bottom, S.home_stack_size);
  swapcontext(&f.context, &S.home);
  __sanitizer_finish_switch_fiber(f.fake_stack, &S.home_stack_bottom, &S.home_stack_size);
#else
  swapcontext(&f.context, &S.home);
#endif
}

void fiber_main(int index) {
  Fiber& f = S.fibers[index];
#ifdef FEATVIZ_EMU_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &S.home_stack_bottom, &S.home_stack_size);
#endif
  S.invoke(S.args);
  f.state = State::Done;
  leave(f);  // never resumed
}

[[noreturn]] void fail_running(const std::string& message) {
  Fiber& f = *S.running;
  if (S.error.empty()) S.error = message;
  f.state = State::Failed;
  leave(f);
  abort();  // unreachable: a failed fiber is never resumed
}

bool prepare_fibers(int count) {
  if (static_cast<int>(S.fibers.size()) < count) S.fibers.resize(count);
  for (int i = 0; i < count; i++) {
    Fiber& f = S.fibers[i];
    if (f.stack != nullptr) continue;
    void* region = mmap(nullptr, kGuardBytes + kStackBytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) return false;
    mprotect(region, kGuardBytes, PROT_NONE);  // a stack overflow faults instead of corrupting memory
    f.stack = static_cast<char*>(region) + kGuardBytes;
  }
  return true;
}

void start_block(int threads) {
  const dim3& bd = block_state.block_dim;
  for (int t = 0; t < threads; t++) {
    Fiber& f = S.fibers[t];
    f.idx = uint3{t % bd.x, (t / bd.x) % bd.y, t / (bd.x * bd.y)};
    f.linear = t;
    f.state = State::Runnable;
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = f.stack;
    f.context.uc_stack.ss_size = kStackBytes;
    f.context.uc_link = nullptr;
    makecontext(&f.context, reinterpret_cast<void (*)()>(fiber_main), 1, t);
  }
  // Shared memory starts every block with a fill that reads as NaN: stale values never leak through.
  char* shared_start = __start_featviz_shared;
  char* shared_stop = __stop_featviz_shared;
  if (shared_start != nullptr && shared_stop > shared_start) {
    memset(shared_start, kSharedFill, shared_stop - shared_start);
  }
  if (S.dynamic_bytes > 0) memset(S.dynamic, kSharedFill, S.dynamic_bytes);
}

// The lanes of `f`'s warp that take part in its collective: the mask, less lanes the block lacks.
unsigned participants(const Fiber& f, int threads) {
  int base = f.linear & ~31;
  int lanes = threads - base < 32 ? threads - base : 32;
  unsigned present = lanes == 32 ? 0xffffffffu : ((1u << lanes) - 1);
  return f.mask & present;
}

int source_lane(const Fiber& f, int lane) {
  int width = f.width;
  int segment = lane / width * width;
  switch (f.kind) {
    case SHFL_IDX:
      return segment + (f.arg & (width - 1));
    case SHFL_UP:
      return lane % width - f.arg < 0 ? lane : lane - f.arg;
    case SHFL_DOWN:
      return lane % width + f.arg >= width ? lane : lane + f.arg;
    case SHFL_XOR: {
      int src = lane ^ f.arg;
      return src >= segment + width ? lane : src;  // later groups are out of reach: own value
    }
    default:
      return lane;
  }
}

// Completes the collective of the warp of fiber `i` if every participating lane has arrived.
// Returns false and sets S.error when the lanes disagree on the collective.
bool resolve_collective(int i, int threads, bool* resolved) {
  *resolved = false;
  const Fiber& f = S.fibers[i];
  int base = f.linear & ~31;
  unsigned lanes = participants(f, threads);
  for (int lane = 0; lane < 32; lane++) {
    if (!(lanes >> lane & 1)) continue;
    const Fiber& g = S.fibers[base + lane];
    if (g.state != State::AtCollective) return true;  // still waiting for this lane
    if (g.kind != f.kind || g.mask != f.mask || g.width != f.width) {
      S.error = format("%s waits at %s(mask 0x%08x) while %s waits at %s(mask 0x%08x): the lanes of a warp "
                       "must meet at the same collective",
                       where(f).c_str(), kCollectiveNames[f.kind], f.mask, where(g).c_str(), kCollectiveNames[g.kind],
                       g.mask);
      return false;
    }
  }
  unsigned votes = 0;
  for (int lane = 0; lane < 32; lane++) {
    if ((lanes >> lane & 1) && S.fibers[base + lane].posted != 0) votes |= 1u << lane;
  }
  for (int lane = 0; lane < 32; lane++) {
    if (!(lanes >> lane & 1)) continue;
    Fiber& g = S.fibers[base + lane];
    switch (f.kind) {
      case BALLOT: g.result = votes; break;
      case ALL: g.result = votes == lanes; break;
      case ANY: g.result = votes != 0; break;
      case SYNCWARP: g.result = 0; break;
      default: {
        int src = source_lane(f, lane);
        bool present = src >= 0 && src < 32 && (lanes >> src & 1);
        g.result = present ? S.fibers[base + src].posted : ~uint64_t{0};
      }
    }
    g.state = State::Runnable;
  }
  *resolved = true;
  return true;
}

// Called when no thread can run: releases a barrier, finishes the block, or explains the deadlock.
// Returns 1 when the block is done, 0 when threads were released, -1 on an error.
int settle(int threads) {
  int at_barrier = -1, done = -1, at_collective = -1;
  for (int t = 0; t < threads; t++) {
    State s = S.fibers[t].state;
    if (s == State::AtBarrier && at_barrier < 0) at_barrier = t;
    if (s == State::Done && done < 0) done = t;
    if (s == State::AtCollective && at_collective < 0) at_collective = t;
  }
  if (at_collective >= 0) {
    const Fiber& f = S.fibers[at_collective];
    unsigned lanes = participants(f, threads);
    for (int lane = 0; lane < 32; lane++) {
      const Fiber& g = S.fibers[(f.linear & ~31) + lane];
      if (!(lanes >> lane & 1) || g.state == State::AtCollective) continue;
      S.error = format("%s waits at %s but lane %d of its warp (%s) %s", where(f).c_str(), kCollectiveNames[f.kind],
                       lane, where(g).c_str(),
                       g.state == State::Done ? "has exited" : "waits at __syncthreads");
      return -1;
    }
    S.error = format("%s waits at %s forever", where(f).c_str(), kCollectiveNames[f.kind]);
    return -1;
  }
  if (at_barrier < 0) return 1;  // every thread has exited
  if (done >= 0) {
    S.error = format("%s waits at __syncthreads but %s has exited: every thread of a block must reach "
                     "each __syncthreads",
                     where(S.fibers[at_barrier]).c_str(), where(S.fibers[done]).c_str());
    return -1;
  }
  for (int t = 0; t < threads; t++) S.fibers[t].state = State::Runnable;
  return 0;
}

bool run_block(int threads) {
  start_block(threads);
  int cursor = 0;
  for (;;) {
    int next = -1;
    for (int k = 0; k < threads && next < 0; k++) {
      int t = (cursor + k) % threads;
      if (S.fibers[t].state == State::Runnable) next = t;
    }
    if (next < 0) {
      int settled = settle(threads);
      if (settled < 0) return false;
      if (settled > 0) return true;
      cursor = 0;
      continue;
    }
    Fiber& f = S.fibers[next];
    enter(f);
    cursor = next + 1;
    if (f.state == State::Failed) return false;
    if (f.state == State::AtCollective) {
      bool resolved = false;
      if (!resolve_collective(next, threads, &resolved)) return false;
      if (resolved) cursor = f.linear & ~31;  // the warp goes on, lowest lane first
    }
  }
}

bool check_launch(const featviz_emu_launch& l) {
  unsigned long long threads = 1ull * l.block[0] * l.block[1] * l.block[2];
  for (int d = 0; d < 3; d++) {
    if (l.grid[d] == 0 || l.block[d] == 0) {
      S.error = "grid and block sizes must be at least 1";
      return false;
    }
  }
  if (threads > kMaxThreads || l.block[2] > 64) {
    S.error = format("block (%u,%u,%u) has %llu threads; at most 1024, and block z at most 64", l.block[0],
                     l.block[1], l.block[2], threads);
    return false;
  }
  if (l.grid[0] > 0x7fffffffu || l.grid[1] > 65535 || l.grid[2] > 65535) {
    S.error = format("grid (%u,%u,%u) is too large", l.grid[0], l.grid[1], l.grid[2]);
    return false;
  }
  return true;
}

}  // namespace

void sync_threads() {
  Fiber& f = *S.running;
  f.state = State::AtBarrier;
  leave(f);
}

uint64_t warp_collective(Collective kind, unsigned mask, uint64_t posted, int arg, int width) {
  Fiber& f = *S.running;
  int lane = f.linear & 31;
  if (!(mask >> lane & 1)) {
    fail_running(format("%s calls %s with mask 0x%08x that leaves out its own lane %d", where(f).c_str(),
                        kCollectiveNames[kind], mask, lane));
  }
  if (width < 1 || width > 32 || (width & (width - 1)) != 0) {
    fail_running(format("%s calls %s with width %d; it must be a power of two up to 32", where(f).c_str(),
                        kCollectiveNames[kind], width));
  }
  f.kind = kind;
  f.mask = mask;
  f.posted = posted;
  f.arg = arg;
  f.width = width;
  f.state = State::AtCollective;
  leave(f);
  return f.result;
}

void* dynamic_shared() { return S.dynamic; }

int run_grid(const featviz_emu_launch* launch, void (*invoke)(void**)) {
  std::lock_guard<std::mutex> lock(launch_mutex);
  S.error.clear();
  S.invoke = invoke;
  S.args = launch->args;
  bool ok = check_launch(*launch);
  int threads = static_cast<int>(launch->block[0] * launch->block[1] * launch->block[2]);
  if (ok && !prepare_fibers(threads)) {
    S.error = "cannot map fiber stacks";
    ok = false;
  }
  if (ok && launch->shared_bytes > 0) {
    S.dynamic_bytes = launch->shared_bytes;
    ok = posix_memalign(&S.dynamic, 256, launch->shared_bytes) == 0;
    if (!ok) S.error = "cannot allocate dynamic shared memory";
  }
  block_state.block_dim = dim3(launch->block[0], launch->block[1], launch->block[2]);
  block_state.grid_dim = dim3(launch->grid[0], launch->grid[1], launch->grid[2]);
  for (unsigned z = 0; ok && z < launch->grid[2]; z++) {
    for (unsigned y = 0; ok && y < launch->grid[1]; y++) {
      for (unsigned x = 0; ok && x < launch->grid[0]; x++) {
        block_state.block_idx = uint3{x, y, z};
        ok = run_block(threads);
      }
    }
  }
  free(S.dynamic);
  S.dynamic = nullptr;
  S.dynamic_bytes = 0;
  current_thread_idx = nullptr;
  if (!ok) snprintf(launch->error, launch->error_size, "%s", S.error.c_str());
  return ok ? 0 : 1;
}

namespace {
std::vector<featviz_emu_kernel>& table() {
  static std::vector<featviz_emu_kernel> kernels;
  return kernels;
}
}  // namespace

void register_kernel(const featviz_emu_kernel& entry) { table().push_back(entry); }

}  // namespace featviz_emu

extern "C" __attribute__((visibility("default"))) const featviz_emu_kernel* featviz_emu_kernels(int abi_version,
                                                                                                 int* count) {
  if (abi_version != FEATVIZ_EMU_ABI_VERSION) return nullptr;
  *count = static_cast<int>(featviz_emu::table().size());
  return featviz_emu::table().data();
}
