// Glue helpers shared by the src/glue-*.cpp files.
#ifndef STATLEARN_HOST_H
#define STATLEARN_HOST_H
#include <Rcpp.h>
#include <vector>
#include "statlearn/common/hooks.h"
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

// Column pointers of a design given as a numeric matrix or as a list of
// numeric vectors of equal length (a data frame's columns, used uncopied).
// The R side guarantees doubles and lengths; n receives the number of rows.
std::vector<const double*> design_columns(SEXP x, std::size_t& n);
}  // namespace statlearn_host
#endif
