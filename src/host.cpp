// The R host side of statlearn/hooks.h: an interrupt checker that runs on the
// main thread and never longjmps through C++ frames.
#include "host.h"  // Rcpp first: it includes R's headers without their macros
#include <R_ext/Utils.h>
#include "statlearn/hooks.h"

namespace {
void check_interrupt_fn(void*) { R_CheckUserInterrupt(); }
bool r_interrupt_pending() { return R_ToplevelExec(check_interrupt_fn, nullptr) == FALSE; }
}  // namespace

namespace statlearn_host {
void begin() {
  statlearn::hooks::reset();
  statlearn::hooks::set_interrupt_checker(&r_interrupt_pending);
}
}  // namespace statlearn_host
