// Glue helpers shared by the src/glue-*.cpp files.
#ifndef STATLEARN_HOST_H
#define STATLEARN_HOST_H
#include <Rcpp.h>
#include "statlearn/hooks.h"
namespace statlearn_host {
// Call at the start of every glue function that runs core work.
void begin();

// Run core work whose interruption by the user (statlearn::interrupted) must
// reach R as R's own interrupt, not as a C++ error.
template <class F>
auto interruptible_call(F f) -> decltype(f()) {
  try {
    return f();
  } catch (const statlearn::interrupted&) {
    throw Rcpp::internal::InterruptedException();
  }
}
}  // namespace statlearn_host
#endif
