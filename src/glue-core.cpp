// Glue for the shared core utilities (used by the tests of determinism).
#include <Rcpp.h>
#include <vector>
#include "statlearn/common/column_range.h"
#include "statlearn/common/parallel.h"
#include "host.h"

// Sum of v in fixed chunks combined in order, on `threads` threads.
// [[Rcpp::export(rng = false)]]
double cpp_chunked_sum(const std::vector<double>& v, int threads) {
  statlearn_host::begin();
  return statlearn::ordered_sum(v.data(), v.size(), 4096, threads);
}

// Largest |value| of each column of a numeric matrix or list of columns (input checks).
// [[Rcpp::export(rng = false)]]
std::vector<double> cpp_column_max_abs(SEXP x) {
  std::size_t n = 0;
  const std::vector<const double*> cols = statlearn_host::design_columns(x, n);
  return statlearn::column_max_abs(cols.data(), n, cols.size());
}
