// statlearn/common/hooks.h -- the only way the R-free core reaches its host.
//
// The core never includes R headers. A host (the Rcpp glue in src/) installs
// an interrupt checker that runs on the main thread; outside R it is a no-op.
// Worker threads only ever read the atomic abort flag.
#ifndef STATLEARN_HOOKS_H
#define STATLEARN_HOOKS_H

#include <atomic>
#include <stdexcept>

namespace statlearn {

// Thrown by the core when the host reports a user interrupt.
struct interrupted : public std::runtime_error {
  interrupted() : std::runtime_error("computation interrupted by the user") {}
};

namespace hooks {

using interrupt_fn = bool (*)();

inline interrupt_fn& interrupt_checker() {
  static interrupt_fn fn = nullptr;
  return fn;
}

inline std::atomic<bool>& abort_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

// Install (or remove, with nullptr) the host's interrupt checker.
inline void set_interrupt_checker(interrupt_fn fn) { interrupt_checker() = fn; }

// Main thread only: ask the host whether the user pressed Ctrl-C; if so, set
// the abort flag (so workers stop early) and throw.
inline void check_interrupt() {
  interrupt_fn fn = interrupt_checker();
  if (fn != nullptr && fn()) {
    abort_flag().store(true);
    throw interrupted();
  }
}

// Main thread only: like check_interrupt(), but reports instead of throwing
// (for a main thread that waits on workers and must join them first).
inline bool poll_interrupt() {
  interrupt_fn fn = interrupt_checker();
  if (fn != nullptr && fn()) {
    abort_flag().store(true);
    return true;
  }
  return abort_flag().load();
}

// Any thread: has an abort been requested?
inline bool aborted() { return abort_flag().load(std::memory_order_relaxed); }

// Reset at the start of each top-level computation.
inline void reset() { abort_flag().store(false); }

}  // namespace hooks
}  // namespace statlearn

#endif
